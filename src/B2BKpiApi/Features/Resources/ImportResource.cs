using B2BKpiApi.Data;
using B2BKpiApi.Ingest;
using CsvHelper;
using FastEndpoints;
using Microsoft.AspNetCore.Http.HttpResults;

namespace B2BKpiApi.Features.Resources;

/// <summary>
/// POST /v1/{resource}/import: a text/csv file whose columns are the fields of the JSON request, read as
/// a stream and written in chunks inside one transaction: all or nothing.
/// </summary>
public abstract class ImportResource<TEntity, TRequest, TResponse>(
    ResourceDefinition<TEntity, TRequest, TResponse> def, KpiDbContext db, CsvRows<TRequest> rows)
    : EndpointWithoutRequest<Results<Ok<ImportResponse>, ValidationProblem, ProblemHttpResult>>
    where TEntity : TenantOwned, new()
    where TRequest : class, IResourceRequest<TEntity>
{
    public const int MaxImportRows = 200_000;
    // Each chunk costs PostgreSQL a COPY, a merge statement and a truncate of the staging table: with 5,000 rows
    // the bulk writer alone measured 0.65-0.74x a raw binary COPY, with 1,000 rows 0.50-0.61x (same run, 100k
    // rows). A chunk is still only a few hundred kB in memory.
    private const int ImportChunk = 5000;
    private const int MaxReportedErrors = 100;

    public override void Configure()
    {
        Post($"{def.Route}/import");
        Group<TenantApi>();
        Description(b => b.TenantOperation(new Action(Signature))
            .WithTags(def.Plural).WithName($"Import{def.Plural}")
            .WithSummary($"Import {def.Plural.ToLowerInvariant()} from CSV")
            .WithDescription("Body: text/csv with a header row naming the fields of the JSON request (camelCase, any order; a missing " +
                             "column is an empty field). Values as in JSON: dates YYYY-MM-DD, money with a dot, enum values as in JSON. " +
                             $"Rows with an externalId update the tenant's record with that externalId or create it; rows without one are created. " +
                             $"All or nothing, up to {MaxImportRows:N0} rows, read as a stream: a refusal names each bad row by its line " +
                             "in the file (`rows[7].score`; the header is line 1) and stores nothing. " + ResourceChecks.LostRaceRule)
            .Accepts<string>(CsvFormat.MediaType)
            .Produces<ImportResponse>()
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status409Conflict)
            .WithMetadata(new OpenApi.AnswersRetryableConflict())
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType));
    }

    private static void Signature() { }

    public override async Task<Results<Ok<ImportResponse>, ValidationProblem, ProblemHttpResult>> ExecuteAsync(CancellationToken ct)
    {
        var http = HttpContext.Request;
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
        var foundClients = new HashSet<Guid>(); // the clients this import's rows name that exist: each looked up once, not per chunk
        var chunk = new List<(long Line, TRequest Item)>(ImportChunk);
        int count = 0, created = 0, updated = 0;
        var lostRace = false;
        await using var session = await Resolve<BulkWriter>().BeginAsync<TEntity>(ct);

        async Task Flush()
        {
            var items = chunk.Select(c => c.Item).ToList();
            foreach (var index in await ResourceChecks.MissingClients(db, items, ct, foundClients))
                Fail($"rows[{chunk[index].Line}].clientId", [ResourceChecks.NoSuchClient]);
            if (errorCount == 0)
            {
                if (await session.WriteAsync(ResourceUpsert.ToEntities<TEntity, TRequest>(items), ct) is { } made)
                {
                    created += made;
                    updated += items.Count - made;
                }
                else
                {
                    lostRace = true;
                    errorCount++; // stop writing; the answer is a retryable 409, not a list of bad rows
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
            // Every failing field of the row at once: cells that cannot be read, then the validator on the others.
            var (item, cellErrors) = rows.Read(reader.Current, fields);
            if (await rows.ValidateAsync(item, cellErrors, ct) is { } rowErrors)
            {
                foreach (var (name, messages) in rowErrors)
                    Fail($"rows[{line}].{name}", messages);
                continue;
            }
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

        if (lostRace && errors.Count == 0)
            return ResourceChecks.LostRace(HttpContext.Response, "import");
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
}
