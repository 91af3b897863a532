using FsCheck;
using FsCheck.Fluent;

namespace B2BKpiApi.Metrics.Tests;

public sealed class PeriodTests
{
    [Fact]
    public void Days_count_both_ends()
    {
        Assert.Equal(1, P("2025-01-01", "2025-01-01").Days);
        Assert.Equal(31, P("2025-01-01", "2025-01-31").Days);
        Assert.Equal(31 + 28 + 31, Q1.Days);
        Assert.Equal(29, P("2024-02-01", "2024-02-29").Days);
        Assert.Equal(366, P("2024-01-01", "2024-12-31").Days);
    }

    [Fact]
    public void Start_is_the_day_before_from()
    {
        Assert.Equal(D("2024-12-31"), Q1.Start);
    }

    [Fact]
    public void Previous_has_the_same_length_and_ends_the_day_before_from()
    {
        // Q1 2025 has 90 days; the 90 days before 2025-01-01 start on 2024-10-03 (Oct 29 + Nov 30 + Dec 31 = 90).
        Assert.Equal(P("2024-10-03", "2024-12-31"), Q1.Previous());
        // March 2024 (31 days) → 2024-01-30..2024-02-29 (2 days of January + 29 of the leap February).
        Assert.Equal(P("2024-01-30", "2024-02-29"), P("2024-03-01", "2024-03-31").Previous());
        Assert.Equal(P("2024-12-31", "2024-12-31"), P("2025-01-01", "2025-01-01").Previous());
    }

    [Fact]
    public void Contains_both_ends_and_nothing_outside()
    {
        Assert.True(Q1.Contains(D("2025-01-01")));
        Assert.True(Q1.Contains(D("2025-03-31")));
        Assert.False(Q1.Contains(D("2024-12-31")));
        Assert.False(Q1.Contains(D("2025-04-01")));
    }

    [Fact]
    public void A_period_cannot_end_before_it_starts()
    {
        Assert.Throws<ArgumentException>(() => P("2025-01-02", "2025-01-01"));
    }

    [Fact]
    public void Split_into_months_clips_the_first_and_last_month()
    {
        Assert.Equal(
            [P("2025-01-15", "2025-01-31"), P("2025-02-01", "2025-02-28"), P("2025-03-01", "2025-03-10")],
            P("2025-01-15", "2025-03-10").Split(Interval.Month));
    }

    [Fact]
    public void Split_into_quarters_follows_calendar_quarters()
    {
        Assert.Equal(
            [P("2024-02-10", "2024-03-31"), P("2024-04-01", "2024-06-30"), P("2024-07-01", "2024-07-04")],
            P("2024-02-10", "2024-07-04").Split(Interval.Quarter));
    }

    [Fact]
    public void Split_into_years_follows_calendar_years()
    {
        Assert.Equal(
            [P("2023-12-01", "2023-12-31"), P("2024-01-01", "2024-12-31"), P("2025-01-01", "2025-01-01")],
            P("2023-12-01", "2025-01-01").Split(Interval.Year));
    }

    [Fact]
    public void A_period_inside_one_month_splits_into_itself()
    {
        Assert.Equal([P("2025-02-03", "2025-02-05")], P("2025-02-03", "2025-02-05").Split(Interval.Month));
    }

    [Fact]
    public void Split_parts_are_adjacent_cover_the_period_exactly_and_each_lies_in_one_calendar_unit()
    {
        var arb = Gen.Zip(Generators.Period, Gen.Elements(Interval.Month, Interval.Quarter, Interval.Year)).ToArbitrary();
        Prop.ForAll(arb, t =>
        {
            var (period, interval) = t;
            var parts = period.Split(interval);
            Assert.Equal(period.From, parts[0].From);
            Assert.Equal(period.To, parts[^1].To);
            Assert.Equal(period.Days, parts.Sum(p => p.Days));
            for (var i = 1; i < parts.Count; i++)
                Assert.Equal(parts[i - 1].To.AddDays(1), parts[i].From);
            Assert.All(parts, p => Assert.Equal(Unit(p.From, interval), Unit(p.To, interval)));
        }).QuickCheckThrowOnFailure();
    }

    private static (int Year, int Part) Unit(DateOnly day, Interval interval) => interval switch
    {
        Interval.Month => (day.Year, day.Month),
        Interval.Quarter => (day.Year, (day.Month - 1) / 3),
        _ => (day.Year, 0),
    };
}
