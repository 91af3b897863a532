using System.Linq.Expressions;
using B2BKpiApi.Data;
using B2BKpiApi.Ingest;
using CsvHelper;
using FluentValidation;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace B2BKpiApi.Common;

public sealed record ImportResponse(int Rows, int Created, int Updated);

/// <summary>CSV import and export of a tenant resource; the columns are the fields of its JSON request.</summary>
public static partial class TenantResource
{
    public const int MaxImportRows = 200_000;
    // Each chunk costs PostgreSQL a COPY, a merge statement and a truncate of the staging table: with 5,000 rows
    // the bulk writer alone measured 0.65-0.74x a raw binary COPY, with 1,000 rows 0.50-0.61x (same run, 100k
    // rows). A chunk is still only a few hundred kB in memory.
    private const int ImportChunk = 5000;
    private const int MaxReportedErrors = 100;

    internal static void MapCsvImport<TEntity, TRequest, TResponse>(RouteGroupBuilder group, ResourceDefinition<TEntity, TRequest, TResponse> def)
        where TEntity : TenantOwned, new() where TRequest : class, IResourceRequest<TEntity>
    {
        group.MapPost("/import", (HttpRequest http, IValidator<TRequest> validator, CsvRows<TRequest> rows, KpiDbContext db, BulkWriter bulk,
                CancellationToken ct) => Import(def, http, validator, rows, db, bulk, ct))
            .WithName($"Import{def.Plural}")
            .WithSummary($"Import {def.Plural.ToLowerInvariant()} from CSV")
            .WithDescription("Body: text/csv with a header row naming the fields of the JSON request (camelCase, any order; a missing " +
                             "column is an empty field). Values as in JSON: dates YYYY-MM-DD, money with a dot, enum values as in JSON. " +
                             $"Rows with an externalId update the tenant's record with that externalId or create it; rows without one are created. " +
                             $"All or nothing, up to {MaxImportRows:N0} rows, read as a stream: a refusal names each bad row by its line " +
                             "in the file (`rows[7].score`; the header is line 1) and stores nothing.")
            .Accepts<string>(CsvFormat.MediaType)
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType);
    }

    private static async Task<Results<Ok<ImportResponse>, ValidationProblem, ProblemHttpResult>> Import<TEntity, TRequest, TResponse>(
        ResourceDefinition<TEntity, TRequest, TResponse> def, HttpRequest http, IValidator<TRequest> validator, CsvRows<TRequest> rows,
        KpiDbContext db, BulkWriter bulk, CancellationToken ct)
        where TEntity : TenantOwned, new() where TRequest : class, IResourceRequest<TEntity>
    {
        if (!CsvFormat.IsCsv(http.ContentType))
            return TypedResults.Problem("Send the file as text/csv.", statusCode: StatusCodes.Status415UnsupportedMediaType,
                title: "Unsupported Media Type");

        await using var reader = CsvReader.Create(http.Body, CsvFormat.Reader, leaveOpen: true);
        await reader.ReadHeaderAsync(ct);
        var header = reader.Headers.ToList();
        if (header.Count == 0)
            return Problems.Invalid("header", "The file is empty: the first line must name the columns.");
        if (B2BKpiApi.Csv.CsvStrictness.RepeatedColumn(header) is { } repeated)
            return Problems.Invalid("header", B2BKpiApi.Csv.CsvStrictness.RepeatedColumnDetail(repeated));
        var unknown = rows.UnknownColumns(header).ToList();
        if (unknown.Count > 0)
            return Problems.Invalid("header", $"Unknown columns: {string.Join(", ", unknown)}. The columns are: {string.Join(", ", rows.Header)}.");

        var fields = rows.Fields(header);
        var errors = new Dictionary<string, string[]>();
        var errorCount = 0;
        void Fail(string key, string[] messages)
        {
            errorCount++;
            if (errors.Count < MaxReportedErrors)
                errors[key] = messages;
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        var chunk = new List<(long Line, TRequest Item)>(ImportChunk);
        int count = 0, created = 0, updated = 0;
        await using var session = await bulk.BeginAsync<TEntity>(ct);

        async Task Flush()
        {
            var items = chunk.Select(c => c.Item).ToList();
            foreach (var index in await MissingClients(db, items, ct))
                Fail($"rows[{chunk[index].Line}].clientId", [NoSuchClient]);
            if (errorCount == 0)
            {
                if (await session.WriteAsync(ToEntities<TEntity, TRequest>(items), ct) is { } made)
                {
                    created += made;
                    updated += items.Count - made;
                }
                else
                {
                    Fail("rows", ["Another request changed these externalIds at the same time; retry the import."]);
                }
            }
            chunk.Clear();
        }

        while (await reader.ReadAsync(ct))
        {
            var line = reader.LineNumber;
            if (++count > MaxImportRows)
            {
                Fail("rows", [$"A file may hold at most {MaxImportRows:N0} rows; split it."]);
                break;
            }
            var (item, field, error) = rows.Read(reader.Current, fields);
            if (item is null)
            {
                Fail($"rows[{line}].{field}", [error!]);
                continue;
            }
            var result = await validator.ValidateAsync(item, ct);
            foreach (var (name, messages) in result.ToDictionary())
                Fail($"rows[{line}].{name}", messages);
            if (item.ExternalId is { } externalId && !seen.Add(externalId))
                Fail($"rows[{line}].externalId", [$"'externalId' {externalId} repeats an earlier row."]);
            if (errorCount > 0)
                continue; // keep reading to report every bad row, but write nothing more
            chunk.Add((line, item));
            if (chunk.Count == ImportChunk)
                await Flush();
        }
        if (errorCount == 0 && chunk.Count > 0)
            await Flush();

        if (errorCount > 0)
            return TypedResults.ValidationProblem(errors, detail: errorCount > errors.Count
                ? $"{errorCount} problems; the first {errors.Count} are listed. Nothing was stored."
                : "Nothing was stored.");
        if (count == 0)
            return Problems.Invalid("rows", "The file has a header but no rows.");
        await session.CommitAsync(ct);
        Observability.KpiMetrics.RecordImportedRows(def.Plural.ToLowerInvariant(), "csv", count);
        return TypedResults.Ok(new ImportResponse(count, created, updated));
    }

    /// <summary>The list as CSV: every record matching from/to, in the list's order, streamed from the database.</summary>
    internal sealed class CsvExport<TEntity, TRequest>(IQueryable<TEntity> records, Func<TEntity, TRequest> toRequest, string fileName)
        : IResult
        where TEntity : TenantOwned
    {
        public async Task ExecuteAsync(HttpContext httpContext)
        {
            var rows = httpContext.RequestServices.GetRequiredService<CsvRows<TRequest>>();
            httpContext.Response.ContentType = $"{CsvFormat.MediaType}; charset=utf-8";
            httpContext.Response.Headers.ContentDisposition = $"attachment; filename=\"{fileName}.csv\"";
            await using var writer = CsvWriter.Create(httpContext.Response.Body, CsvFormat.Writer, leaveOpen: true);
            writer.WriteHeader(rows.Header.ToArray());
            await foreach (var entity in records.AsAsyncEnumerable().WithCancellation(httpContext.RequestAborted))
                await writer.WriteRecordAsync(rows.Write(toRequest(entity)), httpContext.RequestAborted);
            await writer.FlushAsync(httpContext.RequestAborted);
        }
    }

    private static bool WantsCsv(HttpRequest request) =>
        request.Headers.Accept.Any(a => a is not null && a.Split(',').Any(CsvFormat.IsCsv));

    private static IQueryable<TEntity> InRange<TEntity>(IQueryable<TEntity> rows, Expression<Func<TEntity, DateOnly>> mainDate, ListQuery query)
    {
        if (query.From is { } from)
            rows = rows.Where(Compare(mainDate, from, ExpressionType.GreaterThanOrEqual));
        if (query.To is { } to)
            rows = rows.Where(Compare(mainDate, to, ExpressionType.LessThanOrEqual));
        return rows;
    }
}
