using System.Globalization;

namespace B2BKpiApi.Metrics.Tests;

public sealed class ComparisonTests
{
    private static DateOnly D(string s) => DateOnly.ParseExact(s, "yyyy-MM-dd", CultureInfo.InvariantCulture);
    private static Period P(string from, string to) => new(D(from), D(to));

    [Theory]
    [InlineData("2025-01-01", "2025-03-31", "2024-10-01", "2024-12-31")] // Q1 → Q4 of the year before
    [InlineData("2025-04-01", "2025-06-30", "2025-01-01", "2025-03-31")] // Q2 → Q1
    [InlineData("2025-04-01", "2025-04-30", "2025-03-01", "2025-03-31")] // April → March
    [InlineData("2025-03-01", "2025-03-31", "2025-02-01", "2025-02-28")] // March → February (28 days)
    [InlineData("2024-03-01", "2024-03-31", "2024-02-01", "2024-02-29")] // leap February
    [InlineData("2025-01-01", "2025-01-31", "2024-12-01", "2024-12-31")] // January → December
    [InlineData("2025-01-01", "2025-12-31", "2024-01-01", "2024-12-31")] // a year → the year before
    public void A_whole_calendar_month_quarter_or_year_has_the_previous_one(string from, string to, string prevFrom, string prevTo)
    {
        Assert.Equal(P(prevFrom, prevTo), P(from, to).CalendarPrevious());
        Assert.Equal(new Comparison(ComparisonBasis.Calendar, P(prevFrom, prevTo)), Comparison.For(P(from, to), CompareMode.PreviousPeriod));
    }

    [Theory]
    [InlineData("2025-01-15", "2025-02-14")] // a month long but not a calendar month
    [InlineData("2025-02-01", "2025-03-31")] // two whole months, not a quarter
    [InlineData("2025-02-01", "2025-04-30")] // three whole months that are not a calendar quarter
    [InlineData("2025-01-01", "2025-01-30")] // one day short of January
    [InlineData("2025-07-01", "2026-06-30")] // a whole year that is not a calendar year
    [InlineData("2025-03-01", "2025-03-01")] // one day
    public void Any_other_period_falls_back_to_the_same_length_previous_period(string from, string to)
    {
        var period = P(from, to);
        Assert.Null(period.CalendarPrevious());
        Assert.Equal(new Comparison(ComparisonBasis.SameLength, period.Previous()), Comparison.For(period, CompareMode.PreviousPeriod));
    }

    [Theory]
    [InlineData("2025-01-01", "2025-03-31", "2024-01-01", "2024-03-31")]
    [InlineData("2024-02-29", "2024-03-31", "2023-02-28", "2023-03-31")] // 29 February → 28 February
    [InlineData("2024-02-01", "2024-02-29", "2023-02-01", "2023-02-28")]
    [InlineData("2025-02-28", "2025-03-01", "2024-02-28", "2024-03-01")]
    public void Previous_year_is_the_same_dates_a_year_earlier(string from, string to, string prevFrom, string prevTo)
    {
        Assert.Equal(P(prevFrom, prevTo), P(from, to).YearEarlier());
        Assert.Equal(new Comparison(ComparisonBasis.YearOverYear, P(prevFrom, prevTo)), Comparison.For(P(from, to), CompareMode.PreviousYear));
    }

    [Fact]
    public void The_default_is_the_same_length_previous_period_and_none_compares_nothing()
    {
        var q1 = P("2025-01-01", "2025-03-31");
        Assert.Equal(new Comparison(ComparisonBasis.SameLength, P("2024-10-03", "2024-12-31")), Comparison.For(q1, CompareMode.Default));
        Assert.Equal(new Comparison(ComparisonBasis.None, null), Comparison.For(q1, CompareMode.None));
    }
}
