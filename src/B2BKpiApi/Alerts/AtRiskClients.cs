using B2BKpiApi.Features.ChurnRisk;
using B2BKpiApi.Features.Kpis;
using B2BKpiApi.Metrics;

namespace B2BKpiApi.Alerts;

/// <summary>One client among the riskiest, as an <c>at-risk-clients</c> event lists it.</summary>
/// <param name="ClientId">The client.</param>
/// <param name="ClientName">Its name.</param>
/// <param name="Probability">Its churn-risk probability on asOf (0–1, 4 decimals), as <c>GET /v1/churn-risk</c> returns it.</param>
public sealed record AtRiskClient(Guid ClientId, string ClientName, decimal Probability);

/// <summary>
/// What an <c>at-risk-clients</c> rule counted: the tenant's clients active on <c>asOf</c> whose churn-risk probability
/// (as <c>GET /v1/churn-risk?asOf=</c> returns it) is at least <c>riskThreshold</c>, and the riskiest of them.
/// </summary>
/// <param name="AsOf">The day the churn risk stands on: the last day of the evaluated period (today for a rule with toDate).</param>
/// <param name="RiskThreshold">The rule's risk threshold: a client counts when its probability is at least this.</param>
/// <param name="Count">How many active clients are at or above the threshold (the rule's value).</param>
/// <param name="ActiveClients">How many clients are active on asOf (every one is scored).</param>
/// <param name="Method">logistic-regression (the tenant's trained model) or rules, as on GET /v1/churn-risk.</param>
/// <param name="MethodReason">Why rules (see GET /v1/churn-risk); null for the model.</param>
/// <param name="Model">The trained model used; null for rules.</param>
/// <param name="TopClients">The at-risk clients, the riskiest first (probability descending, then id, as GET /v1/churn-risk ranks them), at most 10.</param>
public sealed record AtRiskClientsResult(
    DateOnly AsOf, decimal RiskThreshold, int Count, int ActiveClients, string Method, string? MethodReason, ChurnModelReference? Model,
    IReadOnlyList<AtRiskClient> TopClients);

/// <summary>
/// The <c>at-risk-clients</c> target of an alert rule: instead of a catalog KPI, the number of the tenant's active
/// clients whose churn risk is at or above the rule's <c>riskThreshold</c>, computed by <see cref="ChurnRiskService"/>
/// exactly as <c>GET /v1/churn-risk</c> ranks them, in the background evaluation only.
/// </summary>
public sealed class AtRiskClientsTarget(ChurnRiskService churn)
{
    /// <summary>The <c>kpiId</c> a rule names to watch the at-risk count.</summary>
    public const string Id = "at-risk-clients";

    /// <summary>How many of the riskiest clients an event lists.</summary>
    public const int TopClients = 10;

    public static bool Is(string? kpiId) => kpiId == Id;

    /// <summary>
    /// The count as of the last day of <paramref name="current"/> and of <paramref name="previous"/> (what <c>change</c>
    /// compares with), both scored with the tenant's current model or rules, shaped as the KPI results every alert
    /// event carries, and the details of the current count.
    /// </summary>
    public async Task<(KpiResultResponse Current, KpiResultResponse Previous, AtRiskClientsResult Details)> EvaluateAsync(
        decimal riskThreshold, Period current, Period previous, CancellationToken ct)
    {
        var scorer = await churn.ScorerAsync(ct);
        var now = await CountAsync(riskThreshold, current.To, scorer, ct);
        var before = await CountAsync(riskThreshold, previous.To, scorer, ct);
        return (Shape(now, current, previous, before), Shape(before, previous, null, null), now);
    }

    /// <summary>The count in words, put before the condition's verdict in <c>why</c>.</summary>
    public static string Describe(AtRiskClientsResult r) => string.Create(System.Globalization.CultureInfo.InvariantCulture,
        $"{r.Count} of {r.ActiveClients} active clients have a churn risk of at least {r.RiskThreshold:0.####} on {r.AsOf:yyyy-MM-dd} ({r.Method}).");

    private async Task<AtRiskClientsResult> CountAsync(decimal riskThreshold, DateOnly asOf, ChurnScorer scorer, CancellationToken ct)
    {
        // The ranking GET /v1/churn-risk?asOf= reads (and keeps): the count is a prefix of it.
        var ranking = await churn.RankingAsync(asOf, scorer, ct);
        var count = ranking.CountAtLeast(riskThreshold);
        var top = await churn.ResultsAsync(asOf, ranking.Ids.Take(Math.Min(count, TopClients)).ToList(), scorer, ct);
        return new AtRiskClientsResult(asOf, riskThreshold, count, ranking.Count, scorer.Method, scorer.MethodReason, scorer.Model,
            top.Select(r => new AtRiskClient(r.ClientId, r.ClientName, r.Probability!.Value)).ToList());
    }

    /// <summary>
    /// The count in the shape of <c>GET /v1/kpis/{id}</c>'s result, so that an at-risk event reads like every other
    /// alert event: unit <c>count</c>, inputs riskThreshold, activeClients and atRiskClients, no sample, no benchmark
    /// (<c>no-benchmark-for-kpi</c>). <paramref name="comparedWith"/> null: the previous block says nothing was compared.
    /// </summary>
    private static KpiResultResponse Shape(AtRiskClientsResult result, Period period, Period? comparedPeriod, AtRiskClientsResult? comparedWith)
    {
        var previous = comparedPeriod is { } p && comparedWith is { } c
            ? new PreviousResponse(PeriodResponse.Of(p), c.Count, null)
            : new PreviousResponse(PeriodResponse.Of(period.Previous()), null, PreviousResponse.NotRequested);
        var inputs = new Dictionary<string, decimal?>
        {
            ["riskThreshold"] = result.RiskThreshold,
            ["activeClients"] = result.ActiveClients,
            ["atRiskClients"] = result.Count,
        };
        var set = BenchmarkSets.Seed2025;
        return new KpiResultResponse(Id, 1, PeriodResponse.Of(period), result.Count, Wire.Of(Unit.Count), null, null, inputs, null, previous,
            comparedWith is null ? null : result.Count - comparedWith.Count,
            new BenchmarkComparisonResponse(set.Name, set.Version, null, [], BenchmarkReasons.NoBenchmarkForKpi));
    }
}
