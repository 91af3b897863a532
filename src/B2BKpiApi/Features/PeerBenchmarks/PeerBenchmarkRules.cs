using B2BKpiApi.Metrics;

namespace B2BKpiApi.Features.PeerBenchmarks;

/// <summary>The <c>PeerBenchmarks</c> configuration section.</summary>
public sealed class PeerBenchmarkOptions
{
    public const string Section = "PeerBenchmarks";

    /// <summary>The smallest absolute minimum a deployment may configure: below it startup is refused.</summary>
    public const int SmallestMinTenants = 5;

    /// <summary>Whether this instance runs the daily job (every instance may: a database lease lets one compute at a time).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>k: a cohort is published only with at least this many contributing tenants (default 10; at least 5).</summary>
    public int MinTenants { get; set; } = 10;

    /// <summary>How often the worker looks whether a computation is due (daily, or an operator asked).</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>How long a claimed computation may run before another instance may take it over (a crashed holder).</summary>
    public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>Calendar months computed, counting back from the current one (included).</summary>
    public int Months { get; set; } = 12;

    /// <summary>Calendar quarters computed, counting back from the current one (included).</summary>
    public int Quarters { get; set; } = 4;

    /// <summary>Calendar years computed, counting back from the current one (included).</summary>
    public int Years { get; set; } = 2;

    /// <summary>A message when the section is unsafe or unusable (the host refuses to start), otherwise null.</summary>
    public static string? Invalid(IConfiguration configuration)
    {
        var options = configuration.GetSection(Section).Get<PeerBenchmarkOptions>() ?? new PeerBenchmarkOptions();
        if (options.MinTenants < SmallestMinTenants)
            return $"{Section}:MinTenants is {options.MinTenants}: refused (peer cohorts smaller than {SmallestMinTenants} tenants would expose single tenants). Set it to {SmallestMinTenants} or more (default 10).";
        if (options.Months < 0 || options.Quarters < 0 || options.Years < 0 || options.Months > 120 || options.Quarters > 40 || options.Years > 10)
            return $"{Section}:Months, Quarters and Years must be between 0 and 120, 40 and 10.";
        if (options.PollInterval <= TimeSpan.Zero || options.LeaseDuration <= TimeSpan.Zero)
            return $"{Section}:PollInterval and LeaseDuration must be positive.";
        return null;
    }
}

/// <summary>The wire values and the pure rules of peer benchmarks (README "Peer benchmarks").</summary>
public static class PeerBenchmarkRules
{
    public const string IndustrySizeCohort = "industry-size";
    public const string IndustryCohort = "industry";
    public const string AllCohort = "all";
    public const string Any = "*";

    public const string NotOptedIn = "not-opted-in";
    public const string CohortTooSmall = "cohort-too-small";
    public const string KpiNotComparable = "kpi-not-comparable";

    /// <summary>p10 and p90 are published only from this many contributing tenants.</summary>
    public const int TailPercentilesFrom = 20;

    /// <summary>Size bands by active client count (clients acquired on or before the day and not churned by it).</summary>
    public static readonly IReadOnlyList<(int From, string Band)> SizeBands =
        [(0, "under-10"), (10, "10-49"), (50, "50-199"), (200, "200-999"), (1000, "1000+")];

    public static string SizeBandOf(int activeClients) => SizeBands.Last(b => activeClients >= b.From).Band;

    /// <summary>The tenant count as a band, never the exact number.</summary>
    public static string TenantBand(int tenants) => tenants switch
    {
        < 10 => "5-9",
        < 20 => "10-19",
        < 50 => "20-49",
        < 100 => "50-99",
        < 250 => "100-249",
        < 1000 => "250-999",
        _ => "1000+",
    };

    /// <summary>
    /// Money KPIs are not compared across tenants (tenants report in their own currencies and the product holds no
    /// exchange rates); every other KPI is.
    /// </summary>
    public static bool Comparable(KpiDefinition kpi) => kpi.Unit is not (Unit.Money or Unit.MoneyPerDay);

    /// <summary>
    /// The calendar month, quarter or year <paramref name="period"/> is exactly (month, quarter, year), or null.
    /// Peer snapshots exist only for such periods.
    /// </summary>
    public static string? KindOf(Period period)
    {
        if (period.CalendarPrevious() is null)
            return null;
        var months = (period.To.Year - period.From.Year) * 12 + period.To.Month - period.From.Month + 1;
        return months switch { 1 => "month", 3 => "quarter", 12 => "year", _ => null };
    }

    /// <summary>
    /// The q-th percentile (0 ≤ q ≤ 1) by linear interpolation between closest ranks (Hyndman and Fan type 7, as
    /// Excel's PERCENTILE.INC and numpy's default): h = (n − 1)·q, x[⌊h⌋] + (h − ⌊h⌋)·(x[⌊h⌋+1] − x[⌊h⌋]) over the
    /// sorted values.
    /// </summary>
    public static decimal Percentile(IReadOnlyList<decimal> sorted, decimal q)
    {
        if (sorted.Count == 0)
            throw new ArgumentException("No values.", nameof(sorted));
        var h = (sorted.Count - 1) * q;
        var lower = (int)decimal.Floor(h);
        if (lower >= sorted.Count - 1)
            return sorted[^1];
        return sorted[lower] + (h - lower) * (sorted[lower + 1] - sorted[lower]);
    }

    /// <summary>Where a value stands: below p25, from p25 to below p50, from p50 to p75 (inclusive), above p75.</summary>
    public static string PositionOf(decimal value, decimal p25, decimal p50, decimal p75) =>
        value < p25 ? "below-p25" : value < p50 ? "p25-p50" : value <= p75 ? "p50-p75" : "above-p75";

    /// <summary>The calendar months, quarters and years the job computes, the current one of each included.</summary>
    public static IReadOnlyList<(string Kind, Period Period)> PeriodsToCompute(DateOnly today, PeerBenchmarkOptions options)
    {
        var periods = new List<(string, Period)>();
        var month = new DateOnly(today.Year, today.Month, 1);
        for (var i = 0; i < options.Months; i++)
        {
            var from = month.AddMonths(-i);
            periods.Add(("month", new Period(from, from.AddMonths(1).AddDays(-1))));
        }
        var quarter = new DateOnly(today.Year, (today.Month - 1) / 3 * 3 + 1, 1);
        for (var i = 0; i < options.Quarters; i++)
        {
            var from = quarter.AddMonths(-3 * i);
            periods.Add(("quarter", new Period(from, from.AddMonths(3).AddDays(-1))));
        }
        for (var i = 0; i < options.Years; i++)
            periods.Add(("year", new Period(new DateOnly(today.Year - i, 1, 1), new DateOnly(today.Year - i, 12, 31))));
        return periods;
    }
}
