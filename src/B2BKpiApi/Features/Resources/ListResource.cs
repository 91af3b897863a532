using System.Linq.Expressions;
using B2BKpiApi.Data;
using FastEndpoints;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace B2BKpiApi.Features.Resources;

/// <summary>GET /v1/{resource}: a cursor-paginated page, or every matching record as CSV with <c>Accept: text/csv</c>.</summary>
public abstract class ListResource<TEntity, TRequest, TResponse>(
    ResourceDefinition<TEntity, TRequest, TResponse> def, KpiDbContext db)
    : Endpoint<ListQuery, Results<Ok<Page<TResponse>>, CsvExport<TEntity, TRequest>>>
    where TEntity : TenantOwned, new()
    where TRequest : class, IResourceRequest<TEntity>
{
    public override void Configure()
    {
        Get(def.Route);
        Group<TenantApi>();
        RequestBinder(new RequestBinder<ListQuery>(BindingSource.QueryParams));
        Description(b => b.TenantOperation(new Action<ListQuery>(Signature))
            .WithTags(def.Plural).WithName($"List{def.Plural}").WithSummary($"List {def.Plural.ToLowerInvariant()}, page by page")
            .WithDescription($"Cursor-paginated in a stable order. `from`/`to` filter on the main date, both inclusive. " +
                             $"`limit` is 1–{ListQuery.MaxLimit} (default {ListQuery.DefaultLimit}). With `Accept: text/csv` the answer " +
                             "is every matching record as CSV (no paging), with the columns of the import, so an export re-imports unchanged.")
            .Produces<Page<TResponse>>()
            .ProducesValidationProblem());
    }

    private static void Signature([AsParameters] ListQuery query) { }

    public override async Task<Results<Ok<Page<TResponse>>, CsvExport<TEntity, TRequest>>> ExecuteAsync(ListQuery query, CancellationToken ct)
    {
        // A CSV export streams while the response is written, so it cannot move to the primary halfway: it reads the primary.
        if (CsvFormat.IsAccepted(HttpContext.Request))
            return new CsvExport<TEntity, TRequest>(InRange(def.Set(db).AsNoTracking(), def.MainDate, query).OrderBy(e => e.Id),
                def.ToRequest, def.Route);
        // A page: the replica when it has replayed the tenant's latest write, else the primary (KpiReads).
        var reads = Resolve<KpiReads>();
        var page = await reads.RunAsync(c =>
        {
            var rows = InRange(def.Set(reads.Context).AsNoTracking(), def.MainDate, query);
            if (query.After is { } after)
                rows = rows.Where(e => e.Id > after);
            return rows.OrderBy(e => e.Id).Take(query.PageSize + 1).ToListAsync(c);
        }, ct);
        var hasMore = page.Count > query.PageSize;
        if (hasMore)
            page.RemoveAt(page.Count - 1);
        var next = hasMore ? Cursors.Encode(page[^1].Id) : null;
        return TypedResults.Ok(new Page<TResponse>(page.Select(def.ToResponse).ToList(), next));
    }

    private static IQueryable<TEntity> InRange(IQueryable<TEntity> rows, Expression<Func<TEntity, DateOnly>> mainDate, ListQuery query)
    {
        if (query.From is { } from)
            rows = rows.Where(Compare(mainDate, from, ExpressionType.GreaterThanOrEqual));
        if (query.To is { } to)
            rows = rows.Where(Compare(mainDate, to, ExpressionType.LessThanOrEqual));
        return rows;
    }

    private static Expression<Func<TEntity, bool>> Compare(Expression<Func<TEntity, DateOnly>> date, DateOnly value, ExpressionType op) =>
        Expression.Lambda<Func<TEntity, bool>>(Expression.MakeBinary(op, date.Body, Expression.Constant(value)), date.Parameters);
}
