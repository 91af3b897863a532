using B2BKpiApi.Metrics;
using FastEndpoints;
using Microsoft.AspNetCore.Http.HttpResults;

namespace B2BKpiApi.Features.Kpis;

/// <summary>GET /v1/benchmarks: the benchmark sets KPIs are compared with.</summary>
public sealed class ListBenchmarks : EndpointWithoutRequest<Ok<ListBenchmarks.Response>>
{
    public sealed record BandResponse(string Kpi, string Industry, decimal? Lower, decimal? Upper, bool LowerInclusive, bool UpperInclusive,
        string Label, string? Currency, string Source, string? Note);

    public sealed record SetResponse(string Name, int Version, IReadOnlyList<BandResponse> Bands);

    public new sealed record Response(IReadOnlyList<SetResponse> Sets);

    public override void Configure()
    {
        Get("benchmarks");
        Group<TenantApi>();
        Description(b => b.TenantOperation(new Action(Signature))
            .WithTags("Kpis").WithName(nameof(ListBenchmarks))
            .WithSummary("The benchmark sets KPIs are compared with")
            .WithDescription("Each band: KPI, industry ('*' = any B2B), range, label and source. A range 'a – b' includes both ends; " +
                             "an open range ('> x', '< x') excludes its bound. Money bands are in USD and apply to USD tenants only.")
            .Produces<Response>());
    }

    private static void Signature() { }

    public override Task<Ok<Response>> ExecuteAsync(CancellationToken ct) => Task.FromResult(TypedResults.Ok(new Response(
        BenchmarkSets.All.Select(set => new SetResponse(set.Name, set.Version,
            set.Bands.Select(b => new BandResponse(b.KpiId, b.Industry, b.Lower, b.Upper,
                LowerInclusive: b.Lower is not null && b.Upper is not null, UpperInclusive: b.Lower is not null && b.Upper is not null,
                b.Label, b.Currency, b.Source, b.Note)).ToList())).ToList())));
}
