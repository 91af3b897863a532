using System.Collections.Frozen;
using System.Text.Json;
using B2BKpiApi.Metrics;

namespace B2BKpiApi.Alerts;

/// <summary>The calendar unit a rule looks at.</summary>
public enum AlertWindow
{
    Month,
    Quarter,
    Year,
}

/// <summary>What makes a rule fire.</summary>
public enum AlertConditionType
{
    /// <summary>The value is strictly greater than <c>threshold</c>.</summary>
    Above,
    /// <summary>The value is strictly less than <c>threshold</c>.</summary>
    Below,
    /// <summary>The value lies in no benchmark band and on the unfavourable side of every band that applies to the tenant.</summary>
    OutsideBenchmark,
    /// <summary>The value moved by at least <c>by</c> (signed: a rise when positive, a fall when negative) versus the previous calendar period.</summary>
    Change,
}

/// <summary>How a <c>change</c> is measured.</summary>
public enum AlertChangeUnit
{
    /// <summary>The difference in the KPI's own unit (percentage points for a percent KPI).</summary>
    Points,
    /// <summary>The difference relative to the previous value, in percent.</summary>
    Percent,
}

/// <summary>Where a rule stands after its last evaluation.</summary>
public enum AlertState
{
    /// <summary>Not evaluated yet.</summary>
    Pending,
    Ok,
    Firing,
    /// <summary>The KPI (or, for <c>change</c>, its previous period; for <c>outside-benchmark</c>, its verdict) has no value.</summary>
    NoData,
}

/// <summary>A rule's one condition; which fields it carries depends on <c>type</c>.</summary>
/// <param name="Type">above, below, outside-benchmark or change.</param>
/// <param name="Threshold">above/below only: the value the KPI is compared with, in the KPI's unit.</param>
/// <param name="By">change only: the least change that fires; positive for a rise, negative for a fall.</param>
/// <param name="Unit">change only: points (the KPI's unit) or percent (relative to the previous value).</param>
public sealed record AlertCondition(AlertConditionType Type, decimal? Threshold, decimal? By, AlertChangeUnit? Unit);

/// <summary>Wire names of the alert enums, as stored in the database and written in JSON (kebab-case).</summary>
public static class AlertWire
{
    public static string Of<T>(T value) where T : struct, Enum => Names<T>.ByValue[value];

    public static T Parse<T>(string value) where T : struct, Enum =>
        Names<T>.ByName.TryGetValue(value, out var parsed)
            ? parsed
            : throw new InvalidOperationException($"'{value}' is not a stored {typeof(T).Name}.");

    private static class Names<T> where T : struct, Enum
    {
        public static readonly FrozenDictionary<T, string> ByValue =
            Enum.GetValues<T>().ToFrozenDictionary(v => v, v => JsonNamingPolicy.KebabCaseLower.ConvertName(v.ToString()));

        public static readonly FrozenDictionary<string, T> ByName =
            ByValue.ToFrozenDictionary(p => p.Value, p => p.Key, StringComparer.Ordinal);
    }
}

/// <summary>The calendar periods a rule evaluates on a given day.</summary>
public static class AlertPeriods
{
    /// <summary>
    /// The period a rule looks at on <paramref name="today"/> and the one it compares with. Without
    /// <paramref name="toDate"/>: the latest complete calendar month, quarter or year, and the one before it. With it:
    /// the running period from its first day through today, and the same number of days into the previous calendar
    /// period (clipped to that period's end), so that a month to date is never compared with a whole month.
    /// </summary>
    public static (Period Current, Period Previous) For(AlertWindow window, bool toDate, DateOnly today)
    {
        var months = window switch
        {
            AlertWindow.Month => 1,
            AlertWindow.Quarter => 3,
            AlertWindow.Year => 12,
            _ => throw new ArgumentOutOfRangeException(nameof(window), window, null),
        };
        var start = window switch
        {
            AlertWindow.Month => new DateOnly(today.Year, today.Month, 1),
            AlertWindow.Quarter => new DateOnly(today.Year, ((today.Month - 1) / 3 * 3) + 1, 1),
            _ => new DateOnly(today.Year, 1, 1),
        };
        if (toDate)
        {
            var previousStart = start.AddMonths(-months);
            var previousEnd = previousStart.AddDays(today.DayNumber - start.DayNumber);
            var lastOfPrevious = start.AddDays(-1);
            return (new Period(start, today), new Period(previousStart, previousEnd < lastOfPrevious ? previousEnd : lastOfPrevious));
        }
        var completeStart = start.AddMonths(-months);
        return (new Period(completeStart, start.AddDays(-1)), new Period(completeStart.AddMonths(-months), completeStart.AddDays(-1)));
    }
}

/// <summary>Which filters a KPI can apply, and whether it has a benchmark for a tenant.</summary>
public static class AlertKpis
{
    /// <summary>
    /// Client filters (industry, segment) reach clients, contracts and surveys; a KPI that also reads costs or leads
    /// would be <c>filter-not-applicable</c> under them, forever, so a rule refuses them (see FactsQuery).
    /// </summary>
    public static bool AcceptsClientFilters(KpiDefinition kpi) =>
        !kpi.Reads.Contains(FactFamily.Costs) && !kpi.Reads.Contains(FactFamily.Leads);

    /// <summary>The lead source filter reaches leads only.</summary>
    public static bool AcceptsSourceFilter(KpiDefinition kpi) => kpi.Reads.All(f => f == FactFamily.Leads);

    /// <summary>Whether any benchmark band applies to this tenant (its industry or <c>*</c>, money bands for USD only).</summary>
    public static bool HasBenchmark(KpiDefinition kpi, string industry, string currency) =>
        BenchmarkComparer.Compare(kpi, 0m, industry, currency, BenchmarkSets.Seed2025).NoVerdictReason is null;
}
