using B2BKpiApi.Data;
using CsvHelper;
using Microsoft.EntityFrameworkCore;

namespace B2BKpiApi.Features.Resources;

/// <summary>The list as CSV: every record matching from/to, in the list's order, streamed from the database.</summary>
public sealed class CsvExport<TEntity, TRequest>(IQueryable<TEntity> records, Func<TEntity, TRequest> toRequest, string fileName)
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
