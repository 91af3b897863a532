using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using B2BKpiApi.Alerts;
using B2BKpiApi.Data;
using FastEndpoints;
using FluentValidation;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace B2BKpiApi.Features.Alerts;

/// <summary>GET /v1/alerts: the tenant's rules, page by page, optionally only those in one state.</summary>
public sealed class ListAlerts(KpiDbContext db) : Endpoint<AlertListQuery, Results<Ok<Page<AlertRuleResponse>>, ProblemHttpResult>>
{
    public override void Configure()
    {
        Get("alerts");
        Group<TenantApi>();
        RequestBinder(new RequestBinder<AlertListQuery>(BindingSource.QueryParams));
        Description(b => b.TenantOperation(new Action<AlertListQuery>(Signature))
            .WithTags("Alerts").WithName(nameof(ListAlerts)).WithSummary("List alert rules, page by page")
            .WithDescription($"Cursor-paginated in creation order. `limit` is 1–{ListQuery.MaxLimit} (default {ListQuery.DefaultLimit}); " +
                             "`state` keeps only the rules in that state (e.g. `firing`).")
            .Produces<Page<AlertRuleResponse>>()
            .ProducesValidationProblem());
    }

    private static void Signature([AsParameters] AlertListQuery query) { }

    public override async Task<Results<Ok<Page<AlertRuleResponse>>, ProblemHttpResult>> ExecuteAsync(AlertListQuery query, CancellationToken ct)
    {
        var rules = db.AlertRules.AsNoTracking();
        if (query.State is { } state)
        {
            var stored = AlertWire.Of(state);
            rules = rules.Where(r => r.State == stored);
        }
        if (Cursors.TryDecode(query.Cursor, out var after))
            rules = rules.Where(r => r.Id > after);
        var page = await rules.OrderBy(r => r.Id).Take(query.PageSize + 1).ToListAsync(ct);
        var hasMore = page.Count > query.PageSize;
        if (hasMore)
            page.RemoveAt(page.Count - 1);
        return TypedResults.Ok(new Page<AlertRuleResponse>(page.Select(AlertRuleResponse.From).ToList(), hasMore ? Cursors.Encode(page[^1].Id) : null));
    }
}

/// <summary>The page and an optional state.</summary>
public sealed record AlertListQuery(
    [property: Microsoft.AspNetCore.Mvc.FromQuery(Name = "limit"), Description("Page size, 1–200; 50 when absent."), Range(1, ListQuery.MaxLimit), DefaultValue(ListQuery.DefaultLimit)] int? Limit,
    [property: Microsoft.AspNetCore.Mvc.FromQuery(Name = "cursor"), Description("The nextCursor of the previous page.")] string? Cursor,
    [property: Microsoft.AspNetCore.Mvc.FromQuery(Name = "state"), Description("Only rules in this state: pending, ok, firing or no-data.")] AlertState? State)
{
    public int PageSize => Limit ?? ListQuery.DefaultLimit;

    public sealed class Validator : Validator<AlertListQuery>
    {
        public Validator()
        {
            RuleFor(q => q.Limit).InclusiveBetween(1, ListQuery.MaxLimit);
            RuleFor(q => q.Cursor).Must(c => c is null || Cursors.TryDecode(c, out _))
                .WithMessage("'cursor' is not a cursor this API returned.");
        }
    }
}
