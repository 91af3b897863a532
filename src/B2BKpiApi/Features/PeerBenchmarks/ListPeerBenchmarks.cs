using System.ComponentModel;
using B2BKpiApi.Data;
using B2BKpiApi.Metrics;
using FastEndpoints;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace B2BKpiApi.Features.PeerBenchmarks;

/// <summary>GET /v1/benchmarks/peers?kpi=&amp;period=: the published peer cohorts of one KPI and period (opted-in tenants only).</summary>
public sealed class ListPeerBenchmarks(KpiDbContext db)
    : EndpointWithoutRequest<Results<Ok<ListPeerBenchmarks.Response>, ValidationProblem, ProblemHttpResult>>
{
    /// <summary>One published cohort: percentiles and a tenant band, never the exact count, a minimum, maximum or mean.</summary>
    public sealed record CohortResponse(string Cohort, string Industry, string SizeBand, string Tenants,
        decimal? P10, decimal P25, decimal P50, decimal P75, decimal? P90, DateTime ComputedAt);

    /// <summary><c>period</c> as asked (2026-Q1), <c>dates</c> the days it covers.</summary>
    public new sealed record Response(string Kpi, string Period, Kpis.PeriodResponse Dates, IReadOnlyList<CohortResponse> Cohorts);

    public override void Configure()
    {
        Get("benchmarks/peers");
        Group<TenantApi>();
        Description(b => b.TenantOperation(new Action<string?, string?>(Signature))
            .WithTags("Peer benchmarks").WithName(nameof(ListPeerBenchmarks))
            .WithSummary("The published peer cohorts of a KPI and period")
            .WithDescription("Every cohort (industry × size band, industry, all) with at least PeerBenchmarks:MinTenants contributing " +
                             "tenants: p25, p50, p75 (p10 and p90 from 20 tenants), the tenant count as a band, and when it was computed. " +
                             "Only opted-in tenants may read it (give to get): others get 403. Money KPIs have no peer figures.")
            .Produces<Response>()
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status403Forbidden));
    }

    private static void Signature(
        [Microsoft.AspNetCore.Mvc.FromQuery(Name = "kpi"), Description("A KPI id (GET /v1/kpis). Required.")] string? kpi,
        [Microsoft.AspNetCore.Mvc.FromQuery(Name = "period"), Description("A calendar month (2026-03), quarter (2026-Q1) or year (2026). Required.")] string? period) { }

    public override async Task<Results<Ok<Response>, ValidationProblem, ProblemHttpResult>> ExecuteAsync(CancellationToken ct)
    {
        var kpi = Query<string>("kpi", isRequired: false);
        var periodText = Query<string>("period", isRequired: false);
        var errors = new Dictionary<string, string[]>();
        if (string.IsNullOrEmpty(kpi) || !KpiCatalog.TryGet(kpi, out _))
            errors["kpi"] = [string.IsNullOrEmpty(kpi) ? "'kpi' is required." : $"There is no KPI '{kpi}'. GET /v1/kpis lists every KPI id."];
        if (ParsePeriod(periodText) is not { } period)
            errors["period"] = ["'period' is required: a calendar month (2026-03), quarter (2026-Q1) or year (2026)."];
        else if (errors.Count == 0)
        {
            if (!await db.PeerBenchmarkSettings.AnyAsync(s => s.OptIn, ct))
                return TypedResults.Problem("Peer benchmarks are shown only to tenants that contribute to them: opt in with PUT /v1/settings/peer-benchmarks.",
                    statusCode: StatusCodes.Status403Forbidden, title: "Forbidden");
            var rows = await db.PeerBenchmarkSnapshots.AsNoTracking()
                .Where(s => s.Published && s.KpiId == kpi && s.PeriodFrom == period.From && s.PeriodTo == period.To)
                .ToListAsync(ct);
            var cohorts = rows
                .OrderBy(s => s.Cohort switch { PeerBenchmarkRules.AllCohort => 0, PeerBenchmarkRules.IndustryCohort => 1, _ => 2 })
                .ThenBy(s => s.Industry, StringComparer.Ordinal).ThenBy(s => s.SizeBand, StringComparer.Ordinal)
                .Select(s => new CohortResponse(s.Cohort, s.Industry, s.SizeBand, PeerBenchmarkRules.TenantBand(s.TenantCount),
                    s.P10, s.P25, s.P50, s.P75, s.P90, s.ComputedAt))
                .ToList();
            return TypedResults.Ok(new Response(kpi!, periodText!, Kpis.PeriodResponse.Of(period), cohorts));
        }
        return Problems.Invalid(errors);
    }

    /// <summary>2026-03, 2026-Q1 or 2026, written exactly so.</summary>
    internal static Period? ParsePeriod(string? text)
    {
        if (text is null)
            return null;
        if (System.Text.RegularExpressions.Regex.Match(text, @"^(\d{4})$") is { Success: true } y)
            return Year(int.Parse(y.Groups[1].Value));
        if (System.Text.RegularExpressions.Regex.Match(text, @"^(\d{4})-Q([1-4])$") is { Success: true } q)
        {
            var from = new DateOnly(int.Parse(q.Groups[1].Value), (int.Parse(q.Groups[2].Value) - 1) * 3 + 1, 1);
            return Valid(from) ? new Period(from, from.AddMonths(3).AddDays(-1)) : null;
        }
        if (System.Text.RegularExpressions.Regex.Match(text, @"^(\d{4})-(0[1-9]|1[0-2])$") is { Success: true } m)
        {
            var from = new DateOnly(int.Parse(m.Groups[1].Value), int.Parse(m.Groups[2].Value), 1);
            return Valid(from) ? new Period(from, from.AddMonths(1).AddDays(-1)) : null;
        }
        return null;

        static Period? Year(int year) => year is >= 1900 and <= 9998 ? new Period(new DateOnly(year, 1, 1), new DateOnly(year, 12, 31)) : null;
        static bool Valid(DateOnly from) => from.Year is >= 1900 and <= 9998;
    }
}
