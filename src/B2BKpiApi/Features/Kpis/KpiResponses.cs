using System.ComponentModel;
using System.Text.Json.Serialization;
using B2BKpiApi.Metrics;

namespace B2BKpiApi.Features.Kpis;

public sealed record PeriodResponse(DateOnly From, DateOnly To)
{
    public static PeriodResponse Of(Period p) => new(p.From, p.To);
}

/// <summary>One KPI of the catalog.</summary>
public sealed record KpiDefinitionResponse(
    string Id, int DefinitionVersion, string Name, string Description, string Formula, string Unit, string Direction,
    string Perspective, string Timing, IReadOnlyList<string> Reads)
{
    public static KpiDefinitionResponse From(KpiDefinition d) =>
        new(d.Id, d.DefinitionVersion, d.Name, d.Description, d.Formula, Wire.Of(d.Unit), Wire.Of(d.Direction), Wire.Of(d.Perspective),
            Wire.Of(d.Timing), d.Reads.Select(Wire.Of).ToList());
}

public sealed record SampleResponse(int Count, int Minimum, bool IsSmall);

/// <summary>How the value compares with one benchmark band.</summary>
public sealed record BandComparisonResponse(
    string Industry, string Label, decimal? Lower, decimal? Upper, string? Currency, string Source, string? Note,
    string Position, bool Favourable, decimal Distance);

/// <summary>The value against a benchmark set; <c>noVerdictReason</c> says why there is no verdict.</summary>
public sealed record BenchmarkComparisonResponse(
    string Set, int SetVersion, string? MatchedBand, IReadOnlyList<BandComparisonResponse> Bands, string? NoVerdictReason)
{
    public static BenchmarkComparisonResponse From(BenchmarkComparison c) => new(
        c.Set, c.SetVersion, c.Verdict?.MatchedBand,
        c.Verdict?.Bands.Select(b => new BandComparisonResponse(b.Band.Industry, b.Band.Label, b.Band.Lower, b.Band.Upper,
            b.Band.Currency, b.Band.Source, b.Band.Note, Wire.Of(b.Position), b.Favourable, b.Distance)).ToList() ?? [],
        c.NoVerdictReason);
}

/// <summary>The same KPI over the compared period (by default the previous period of the same length).</summary>
public sealed record PreviousResponse(PeriodResponse Period, decimal? Value, string? Reason)
{
    /// <summary><c>previous.reason</c> with <c>compare=none</c>: nothing was computed to compare with.</summary>
    public const string NotRequested = "comparison-not-requested";
}

/// <summary>
/// Which comparison a result carries (present only when the request names <c>compare</c>): <c>basis</c> is
/// <c>same-length</c>, <c>calendar</c>, <c>year-over-year</c> or <c>none</c>, and <c>from</c>/<c>to</c> are the
/// compared dates (null for <c>none</c>).
/// </summary>
public sealed record ComparisonResponse(ComparisonBasis Basis, DateOnly? From, DateOnly? To)
{
    public static ComparisonResponse Of(Comparison c) => new(c.Basis, c.Period?.From, c.Period?.To);
}

/// <summary>
/// One KPI for one period. <c>value</c> is null exactly when <c>reason</c> is not. <c>inputs</c> holds
/// every named quantity the value is computed from (exact, at most 10 decimals), so it can be re-derived by hand.
/// </summary>
public sealed record KpiResultResponse(
    string Kpi, int DefinitionVersion, PeriodResponse Period, decimal? Value, string Unit, string? Currency, string? Reason,
    IReadOnlyDictionary<string, decimal?> Inputs, SampleResponse? Sample, PreviousResponse Previous, decimal? Change,
    BenchmarkComparisonResponse Benchmark,
    // Left out of the JSON without compare, so that answers to requests without it stay byte for byte what they were.
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull),
               Description("Which comparison previous and change carry; present only when the request names compare.")]
    ComparisonResponse? Comparison = null,
    // Likewise left out unless the request says peers=true (README "Peer benchmarks").
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull),
               Description("Where the tenant stands among opted-in peers; present only with peers=true.")]
    PeerBenchmarks.PeersResponse? Peers = null)
{
    /// <summary>The result compared with the previous period of the same length, without a comparison field (no <c>compare</c>).</summary>
    public static KpiResultResponse From(KpiResult current, KpiResult previous, TenantContext tenant) =>
        From(current, previous, new Comparison(ComparisonBasis.SameLength, previous.Period), CompareMode.Default, tenant);

    /// <summary>
    /// The result for <paramref name="current"/>, compared with <paramref name="previous"/> (null: nothing compared,
    /// for <c>compare=none</c>). <paramref name="mode"/> decides whether the result names its comparison.
    /// </summary>
    public static KpiResultResponse From(KpiResult current, KpiResult? previous, Comparison comparison, CompareMode mode, TenantContext tenant)
    {
        var d = current.Definition;
        var trend = previous is null ? new KpiTrend(null, null) : KpiTrend.Between(current, previous);
        var previousBlock = previous is null
            ? new PreviousResponse(PeriodResponse.Of(current.Period.Previous()), null, PreviousResponse.NotRequested)
            : new PreviousResponse(PeriodResponse.Of(previous.Period), previous.Value, previous.Reason);
        var benchmark = BenchmarkComparer.Compare(current, tenant.Industry, tenant.Currency, BenchmarkSets.Seed2025);
        return new KpiResultResponse(
            d.Id, d.DefinitionVersion, PeriodResponse.Of(current.Period), current.Value, Wire.Of(d.Unit),
            d.Unit is Metrics.Unit.Money or Metrics.Unit.MoneyPerDay ? tenant.Currency : null,
            current.Reason,
            current.Inputs.ToDictionary(i => i.Name, i => i.Value is { } v ? decimal.Round(v, 10, MidpointRounding.AwayFromZero) : (decimal?)null),
            current.Sample is { } s ? new SampleResponse(s.Count, s.Minimum, s.IsSmall) : null,
            previousBlock,
            trend.Change,
            BenchmarkComparisonResponse.From(benchmark),
            mode == CompareMode.Default ? null : ComparisonResponse.Of(comparison));
    }
}
