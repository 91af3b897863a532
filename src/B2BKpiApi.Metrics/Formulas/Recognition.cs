namespace B2BKpiApi.Metrics;

/// <summary>
/// Revenue recognition from contract terms (kpis.md "Shared rules"): a contract's value is spread
/// evenly per day over its term, <c>startsOn..endsOn</c>, both days inclusive.
/// </summary>
public static class Recognition
{
    private const int DaysPerYear = 365;

    /// <summary>
    /// Revenue recognized in <paramref name="period"/>: Σ <c>value × (days of the term inside the period) / days(term)</c>.
    /// The denominator is the term's length in days, both ends inclusive (a 2024 calendar-year term has 366 days);
    /// the period's days are counted inclusive as well. Exact and unrounded.
    /// </summary>
    public static decimal Revenue(IEnumerable<TermValue> terms, Period period)
    {
        ArgumentNullException.ThrowIfNull(terms);
        var revenue = 0m;
        foreach (var term in terms)
        {
            var first = Max(term.StartsOn, period.From);
            var last = Min(term.EndsOn, period.To);
            var overlap = last.DayNumber - first.DayNumber + 1;
            if (overlap > 0)
                revenue += term.Value * overlap / TermDays(term); // multiply first: one rounding step, not two
        }
        return revenue;
    }

    /// <summary>
    /// Annual recurring revenue on <paramref name="day"/>: Σ <c>value × 365 / days(term)</c> over the terms with
    /// <c>startsOn &lt;= day &lt;= endsOn</c> (both inclusive). The denominator is the term's length in days,
    /// both ends inclusive. Exact and unrounded.
    /// </summary>
    public static decimal Arr(IEnumerable<TermValue> terms, DateOnly day)
    {
        ArgumentNullException.ThrowIfNull(terms);
        return terms
            .Where(t => t.StartsOn <= day && day <= t.EndsOn)
            .Sum(t => t.Value * DaysPerYear / TermDays(t));
    }

    private static int TermDays(TermValue term) => term.EndsOn.DayNumber - term.StartsOn.DayNumber + 1;

    private static DateOnly Max(DateOnly a, DateOnly b) => a > b ? a : b;

    private static DateOnly Min(DateOnly a, DateOnly b) => a < b ? a : b;
}
