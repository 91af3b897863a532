using System.Buffers.Text;
using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using FluentValidation;
using Microsoft.AspNetCore.Mvc;

namespace B2BKpiApi.Paging;

/// <summary>One page of a list. <c>nextCursor</c> is null on the last page.</summary>
public sealed record Page<T>(IReadOnlyList<T> Items, string? NextCursor);

/// <summary>
/// The query of every list: a page size, an opaque cursor and an inclusive date range on the
/// record's main date. Pages are ordered by id (time-ordered UUIDv7), so they are stable while
/// records are added.
/// </summary>
public sealed record ListQuery(
    [property: FromQuery(Name = "limit"), Description("Page size, 1–200; 50 when absent."), Range(1, ListQuery.MaxLimit), DefaultValue(ListQuery.DefaultLimit)] int? Limit,
    [property: FromQuery(Name = "cursor"), Description("The nextCursor of the previous page.")] string? Cursor,
    [property: FromQuery(Name = "from"), FastEndpoints.BindFrom("from"), Description("First day of the main date, inclusive (YYYY-MM-DD).")] IsoDate? FromDate,
    [property: FromQuery(Name = "to"), FastEndpoints.BindFrom("to"), Description("Last day of the main date, inclusive (YYYY-MM-DD).")] IsoDate? ToDate)
{
    public DateOnly? From => FromDate?.Value;
    public DateOnly? To => ToDate?.Value;

    public const int DefaultLimit = 50;
    public const int MaxLimit = 200;

    public int PageSize => Limit ?? DefaultLimit;

    public Guid? After => Cursors.TryDecode(Cursor, out var id) ? id : null;

    public sealed class Validator : FastEndpoints.Validator<ListQuery>
    {
        public Validator()
        {
            RuleFor(q => q.Limit).InclusiveBetween(1, MaxLimit);
            RuleFor(q => q.Cursor).Must(c => c is null || Cursors.TryDecode(c, out _))
                .WithMessage("'cursor' is not a cursor this API returned.");
            RuleFor(q => q.To).GreaterThanOrEqualTo(q => q.From).When(q => q.From is not null && q.To is not null)
                .WithMessage("'to' must not be before 'from'.");
        }
    }
}

public static class Cursors
{
    public static string Encode(Guid lastId) => Base64Url.EncodeToString(lastId.ToByteArray());

    public static bool TryDecode(string? cursor, out Guid id)
    {
        id = Guid.Empty;
        if (string.IsNullOrEmpty(cursor) || cursor.Length != 22)
            return false;
        Span<byte> bytes = stackalloc byte[16];
        if (Base64Url.DecodeFromChars(cursor, bytes, out _, out var written) != System.Buffers.OperationStatus.Done || written != 16)
            return false;
        id = new Guid(bytes);
        return true;
    }
}
