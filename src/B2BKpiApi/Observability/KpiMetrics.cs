using System.Diagnostics;
using System.Diagnostics.Metrics;
using B2BKpiApi.Metrics;

namespace B2BKpiApi.Observability;

/// <summary>
/// The application's own instruments. One static meter, so that a call site is one line and needs no
/// constructor change; the OpenTelemetry SDK (and any <see cref="MeterListener"/>) subscribes by name.
/// Tags hold only catalog names (KPI ids, fact families, resource names, policy names): never a tenant
/// id, a key or a record's data, so a Prometheus scrape cannot leak tenant data.
/// </summary>
public static class KpiMetrics
{
    public const string MeterName = "B2BKpiApi";

    private static readonly Meter Meter = new(MeterName, "1.0.0");

    private static readonly Histogram<double> KpiComputation = Meter.CreateHistogram<double>(
        "kpi.computation.duration", unit: "s",
        description: "Time to compute one KPI (tags kpi, family) or a whole scorecard (kpi = scorecard, family = all), " +
                     "including the SQL aggregates for the period and its previous period.",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5] });

    private static readonly Counter<long> ImportedRows = Meter.CreateCounter<long>(
        "kpi.import.rows", unit: "{row}",
        description: "Rows written by CSV imports and batch upserts (tags resource, kind); rate() of it is rows per second.");

    private static readonly Counter<long> RateLimitRejections = Meter.CreateCounter<long>(
        "kpi.rate_limit.rejections", unit: "{request}",
        description: "Requests refused with 429 by the rate limiter (tag policy).");

    private static readonly Counter<long> RedisFallbacks = Meter.CreateCounter<long>(
        "kpi.redis.fallbacks", unit: "{operation}",
        description: "Operations served per instance because the configured Redis was down, slow or cut off by its circuit " +
                     "(tag use: rate-limit, auth-failures, heavy-reads, cache, change-signal).");

    private static readonly Counter<long> Reads = Meter.CreateCounter<long>(
        "kpi.reads", unit: "{read}",
        description: "KPI, series, scorecard and list reads by where they ran (tag route: replica, primary-only, " +
                     "primary-replica-behind, primary-replica-lagging, primary-replica-down); see ConnectionStrings:Replica.");

    /// <summary>Counts one read by the database it ran on.</summary>
    public static void RecordRead(B2BKpiApi.Data.ReadRoute route) =>
        Reads.Add(1, new KeyValuePair<string, object?>("route", route switch
        {
            B2BKpiApi.Data.ReadRoute.Replica => "replica",
            B2BKpiApi.Data.ReadRoute.PrimaryReplicaBehind => "primary-replica-behind",
            B2BKpiApi.Data.ReadRoute.PrimaryReplicaLagging => "primary-replica-lagging",
            B2BKpiApi.Data.ReadRoute.PrimaryReplicaDown => "primary-replica-down",
            _ => "primary-only",
        }));

    /// <summary>Times one KPI computation until the returned value is disposed: <c>using var _ = KpiMetrics.MeasureKpi(definition);</c></summary>
    public static Measurement MeasureKpi(KpiDefinition definition) =>
        new(definition.Id, string.Join('+', definition.Reads.Select(Wire.Of)));

    /// <summary>Times a whole scorecard until the returned value is disposed.</summary>
    public static Measurement MeasureScorecard() => new("scorecard", "all");

    /// <summary>Counts rows written by one successful import or batch (<paramref name="kind"/>: csv or batch).</summary>
    public static void RecordImportedRows(string resource, string kind, int rows) =>
        ImportedRows.Add(rows, new KeyValuePair<string, object?>("resource", resource), new KeyValuePair<string, object?>("kind", kind));

    /// <summary>Counts one request refused by a rate-limit policy.</summary>
    public static void RecordRateLimitRejection(string policy) =>
        RateLimitRejections.Add(1, new KeyValuePair<string, object?>("policy", policy));

    /// <summary>Counts one operation that used its per-instance fallback because Redis was unavailable.</summary>
    public static void RecordRedisFallback(string use) =>
        RedisFallbacks.Add(1, new KeyValuePair<string, object?>("use", use));

    /// <summary>A running timer; records on dispose. A struct, so timing a KPI allocates nothing.</summary>
    public readonly struct Measurement : IDisposable
    {
        private readonly string _kpi;
        private readonly string _family;
        private readonly long _started;

        internal Measurement(string kpi, string family)
        {
            _kpi = kpi;
            _family = family;
            _started = Stopwatch.GetTimestamp();
        }

        public void Dispose()
        {
            if (_kpi is null)
                return; // default(Measurement): nothing was started
            KpiComputation.Record(Stopwatch.GetElapsedTime(_started).TotalSeconds,
                new KeyValuePair<string, object?>("kpi", _kpi), new KeyValuePair<string, object?>("family", _family));
        }
    }
}
