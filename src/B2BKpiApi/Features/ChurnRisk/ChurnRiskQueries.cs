using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using FluentValidation;
using Microsoft.AspNetCore.Mvc;

namespace B2BKpiApi.Features.ChurnRisk;

/// <summary>The day a health or churn-risk read stands on.</summary>
public sealed record AsOfQuery(
    [property: FromQuery(Name = "asOf"), FastEndpoints.BindFrom("asOf"), Description("The day to look from (YYYY-MM-DD): records dated after it are ignored. Today (UTC) when absent.")] IsoDate? AsOfDate)
{
    public DateOnly Day(TimeProvider clock) => AsOfDate?.Value ?? DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime);

    public sealed class Validator : FastEndpoints.Validator<AsOfQuery>
    {
        public Validator()
        {
            RuleFor(q => q.AsOfDate).Must(d => d is null || (d.Value.Value >= Dates.Earliest.AddDays(400) && d.Value.Value <= Dates.Latest.AddDays(-400)))
                .OverridePropertyName("asOf")
                .WithMessage($"'asOf' must be between {Dates.Earliest.AddDays(400):yyyy-MM-dd} and {Dates.Latest.AddDays(-400):yyyy-MM-dd}.");
        }
    }
}

/// <summary>The ranked list's day and page.</summary>
public sealed record ChurnRiskListQuery(
    [property: FromQuery(Name = "asOf"), FastEndpoints.BindFrom("asOf"), Description("The day to look from (YYYY-MM-DD): records dated after it are ignored. Today (UTC) when absent.")] IsoDate? AsOfDate,
    [property: FromQuery(Name = "limit"), Description("Page size, 1–200; 50 when absent."), Range(1, ListQuery.MaxLimit), DefaultValue(ListQuery.DefaultLimit)] int? Limit,
    [property: FromQuery(Name = "cursor"), Description("The nextCursor of the previous page (for the same asOf).")] string? Cursor)
{
    public int PageSize => Limit ?? ListQuery.DefaultLimit;

    public DateOnly Day(TimeProvider clock) => AsOfDate?.Value ?? DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime);

    public sealed class Validator : FastEndpoints.Validator<ChurnRiskListQuery>
    {
        public Validator()
        {
            RuleFor(q => q.AsOfDate).Must(d => d is null || (d.Value.Value >= Dates.Earliest.AddDays(400) && d.Value.Value <= Dates.Latest.AddDays(-400)))
                .OverridePropertyName("asOf")
                .WithMessage($"'asOf' must be between {Dates.Earliest.AddDays(400):yyyy-MM-dd} and {Dates.Latest.AddDays(-400):yyyy-MM-dd}.");
            RuleFor(q => q.Limit).InclusiveBetween(1, ListQuery.MaxLimit).OverridePropertyName("limit");
            RuleFor(q => q.Cursor).Must(c => c is null || RiskCursor.TryDecode(c, out _, out _)).OverridePropertyName("cursor")
                .WithMessage("'cursor' is not a cursor this API returned.");
        }
    }
}
