namespace B2BKpiApi.Metrics;

/// <summary>
/// What a result's comparison block (the previous value and the change) is computed against: the
/// <c>compare</c> query parameter. The KPI formulas never depend on it: a formula that reads the previous
/// period (revenue growth's Rprev) always reads the previous period of the same length (kpis.md).
/// </summary>
public enum CompareMode
{
    /// <summary>No <c>compare</c> parameter: the previous period of the same length, as kpis.md defines it (v1's behaviour).</summary>
    Default,
    /// <summary><c>previous-period</c>: a whole calendar month, quarter or year against the previous one; any other period as <see cref="Default"/>.</summary>
    PreviousPeriod,
    /// <summary><c>previous-year</c>: the same dates one year earlier.</summary>
    PreviousYear,
    /// <summary><c>none</c>: no comparison.</summary>
    None,
}

/// <summary>Which rule chose the compared period.</summary>
public enum ComparisonBasis
{
    /// <summary>The period of the same length that ends the day before <c>from</c>.</summary>
    SameLength,
    /// <summary>The calendar month, quarter or year before a whole calendar month, quarter or year.</summary>
    Calendar,
    /// <summary>The same dates one year earlier (29 February becomes 28 February).</summary>
    YearOverYear,
    /// <summary>Nothing is compared.</summary>
    None,
}

/// <summary>The compared period of a result and the rule that chose it; <see cref="Period"/> is null exactly for <see cref="ComparisonBasis.None"/>.</summary>
public readonly record struct Comparison(ComparisonBasis Basis, Period? Period)
{
    /// <summary>The comparison <paramref name="mode"/> asks for <paramref name="period"/>.</summary>
    public static Comparison For(Period period, CompareMode mode) => mode switch
    {
        CompareMode.Default => new(ComparisonBasis.SameLength, period.Previous()),
        CompareMode.PreviousPeriod => period.CalendarPrevious() is { } calendar
            ? new(ComparisonBasis.Calendar, calendar)
            : new(ComparisonBasis.SameLength, period.Previous()),
        CompareMode.PreviousYear => new(ComparisonBasis.YearOverYear, period.YearEarlier()),
        CompareMode.None => new(ComparisonBasis.None, null),
        _ => throw new ArgumentOutOfRangeException(nameof(mode), mode, null),
    };
}
