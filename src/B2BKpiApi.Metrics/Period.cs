namespace B2BKpiApi.Metrics;

/// <summary>The calendar unit a period is split into for a series.</summary>
public enum Interval
{
    /// <summary>Calendar months.</summary>
    Month,
    /// <summary>Calendar quarters (Jan–Mar, Apr–Jun, Jul–Sep, Oct–Dec).</summary>
    Quarter,
    /// <summary>Calendar years.</summary>
    Year,
}

/// <summary>
/// A period of calendar dates, <see cref="From"/> and <see cref="To"/> both inclusive.
/// </summary>
public readonly record struct Period
{
    /// <summary>Creates a period; <paramref name="to"/> must not be before <paramref name="from"/>.</summary>
    public Period(DateOnly from, DateOnly to)
    {
        if (to < from)
            throw new ArgumentException($"A period's end ({to:yyyy-MM-dd}) is before its start ({from:yyyy-MM-dd}).", nameof(to));
        From = from;
        To = to;
    }

    /// <summary>First day, inclusive.</summary>
    public DateOnly From { get; }

    /// <summary>Last day, inclusive.</summary>
    public DateOnly To { get; }

    /// <summary><c>to − from + 1</c>.</summary>
    public int Days => To.DayNumber - From.DayNumber + 1;

    /// <summary>The day before <see cref="From"/>: the state "at the start" of the period is the state at the end of this day.</summary>
    public DateOnly Start => From.AddDays(-1);

    /// <summary>The period of the same length that ends the day before <see cref="From"/>.</summary>
    public Period Previous() => new(From.AddDays(-Days), From.AddDays(-1));

    /// <summary>
    /// The previous calendar year, quarter or month when this period is exactly one whole calendar year,
    /// quarter or month (Q1 2025 gives 2024-10-01..2024-12-31, April gives March); otherwise null.
    /// </summary>
    public Period? CalendarPrevious()
    {
        if (From.Day != 1)
            return null;
        // Largest unit first: a whole year is never mistaken for its first quarter, nor a quarter for its first month.
        foreach (var months in (ReadOnlySpan<int>)[12, 3, 1])
        {
            if (months != 1 && (From.Month - 1) % months != 0)
                continue;
            if (From.AddMonths(months).AddDays(-1) == To)
                return new Period(From.AddMonths(-months), From.AddDays(-1));
        }
        return null;
    }

    /// <summary>The same dates one year earlier; 29 February becomes 28 February.</summary>
    public Period YearEarlier() => new(From.AddYears(-1), To.AddYears(-1));

    /// <summary>Whether <paramref name="day"/> lies inside the period (both ends inclusive).</summary>
    public bool Contains(DateOnly day) => From <= day && day <= To;

    /// <summary>
    /// Splits the period at calendar month, quarter or year boundaries. The first and last parts are
    /// clipped to the period, so the parts are disjoint, adjacent and cover the period exactly.
    /// </summary>
    public IReadOnlyList<Period> Split(Interval interval)
    {
        var parts = new List<Period>();
        var cursor = From;
        while (cursor <= To)
        {
            var next = NextBoundary(cursor, interval);
            var end = next.AddDays(-1) < To ? next.AddDays(-1) : To;
            parts.Add(new Period(cursor, end));
            cursor = next;
        }
        return parts;
    }

    private static DateOnly NextBoundary(DateOnly day, Interval interval) => interval switch
    {
        Interval.Month => new DateOnly(day.Year, day.Month, 1).AddMonths(1),
        Interval.Quarter => new DateOnly(day.Year, ((day.Month - 1) / 3 * 3) + 1, 1).AddMonths(3),
        Interval.Year => new DateOnly(day.Year + 1, 1, 1),
        _ => throw new ArgumentOutOfRangeException(nameof(interval), interval, null),
    };

    /// <inheritdoc />
    public override string ToString() => $"{From:yyyy-MM-dd}..{To:yyyy-MM-dd}";
}
