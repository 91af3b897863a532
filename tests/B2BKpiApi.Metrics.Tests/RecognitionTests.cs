using FsCheck;
using FsCheck.Fluent;

namespace B2BKpiApi.Metrics.Tests;

public sealed class RecognitionTests
{
    private static TermValue Term(string startsOn, string endsOn, decimal value) => new(D(startsOn), D(endsOn), value);

    public static TheoryData<string, string, decimal> RevenueOfA2025YearContract => new()
    {
        // 36,500 over 365 days is 100 a day.
        { "2025-01-01", "2025-01-31", 36_500m * 31 / 365 },
        { "2025-03-31", "2025-04-01", 36_500m * 2 / 365 },
        { "2025-12-31", "2025-12-31", 36_500m * 1 / 365 },
        { "2025-01-01", "2025-12-31", 36_500m },
        // Periods crossing the term's edges count only the days inside it.
        { "2024-12-01", "2025-01-10", 36_500m * 10 / 365 },
        { "2025-12-20", "2026-01-31", 36_500m * 12 / 365 },
        { "2024-01-01", "2026-12-31", 36_500m },
        { "2024-01-01", "2024-12-31", 0m },
        { "2026-01-01", "2026-01-01", 0m },
    };

    [Theory]
    [MemberData(nameof(RevenueOfA2025YearContract))]
    public void Revenue_is_pro_rated_by_day_over_the_term(string from, string to, decimal expected)
    {
        Assert.Equal(expected, Recognition.Revenue([Term("2025-01-01", "2025-12-31", 36_500m)], P(from, to)));
    }

    [Fact]
    public void A_leap_year_term_has_366_days()
    {
        var term = Term("2024-01-01", "2024-12-31", 10_000m);
        Assert.Equal(10_000m * 29 / 366, Recognition.Revenue([term], P("2024-02-01", "2024-02-29")));
    }

    [Fact]
    public void Revenue_sums_over_terms_and_keeps_full_precision()
    {
        // 100 over 3 days and 50 over 1 day, a period holding day 1 of the first and the whole second.
        var terms = new[] { Term("2025-01-01", "2025-01-03", 100m), Term("2025-01-01", "2025-01-01", 50m) };
        Assert.Equal(100m / 3 + 50m, Recognition.Revenue(terms, P("2025-01-01", "2025-01-01")));
    }

    [Fact]
    public void Revenue_of_no_terms_is_zero()
    {
        Assert.Equal(0m, Recognition.Revenue([], Q1));
    }

    public static TheoryData<string, decimal> ArrOfA2025YearContract => new()
    {
        { "2024-12-31", 0m },
        { "2025-01-01", 36_500m * 365 / 365 },
        { "2025-07-01", 36_500m },
        { "2025-12-31", 36_500m },
        { "2026-01-01", 0m },
    };

    [Theory]
    [MemberData(nameof(ArrOfA2025YearContract))]
    public void Arr_counts_a_term_on_its_first_and_last_day_only_inside_it(string day, decimal expected)
    {
        Assert.Equal(expected, Recognition.Arr([Term("2025-01-01", "2025-12-31", 36_500m)], D(day)));
    }

    [Fact]
    public void Arr_annualises_the_daily_rate_of_each_running_term()
    {
        // A two-year contract (730 days) of 20,000 and a 2024 leap-year contract of 36,600 (366 days).
        var terms = new[] { Term("2024-01-01", "2025-12-30", 20_000m), Term("2024-01-01", "2024-12-31", 36_600m) };
        Assert.Equal(20_000m * 365 / 730 + 36_600m * 365 / 366, Recognition.Arr(terms, D("2024-06-15")));
    }

    /// <summary>
    /// decimal keeps 28–29 significant digits, so value × days / termDays can differ from the sum of its parts in
    /// the last digit (about 1e-24 on amounts of this size): the parts add up to the union within 1e-20, far below
    /// the cent a money value is reported to.
    /// </summary>
    [Fact]
    public void Revenue_of_two_adjacent_periods_adds_up_to_the_revenue_of_their_union()
    {
        var terms = Gen.ListOf(
            from startsOn in Generators.Day
            from length in Gen.Choose(1, 800)
            from value in Generators.Money
            select new TermValue(startsOn, startsOn.AddDays(length - 1), value));
        var arb = (from ts in terms
                   from union in Generators.Period.Where(p => p.Days >= 2)
                   from cut in Gen.Choose(1, union.Days - 1)
                   select (ts, union, cut)).ToArbitrary();
        Prop.ForAll(arb, t =>
        {
            var (ts, union, cut) = t;
            var first = new Period(union.From, union.From.AddDays(cut - 1));
            var second = new Period(union.From.AddDays(cut), union.To);
            var whole = Recognition.Revenue(ts, union);
            var parts = Recognition.Revenue(ts, first) + Recognition.Revenue(ts, second);
            Assert.True(Math.Abs(whole - parts) < 1e-20m, $"{whole} = {parts}");
        }).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void Revenue_over_a_whole_term_is_its_value()
    {
        var arb = (from startsOn in Generators.Day
                   from length in Gen.Choose(1, 1500)
                   from value in Generators.Money
                   select new TermValue(startsOn, startsOn.AddDays(length - 1), value)).ToArbitrary();
        Prop.ForAll(arb, term =>
            Assert.Equal(term.Value, Rounding.Round(Recognition.Revenue([term], new Period(term.StartsOn, term.EndsOn)), Unit.Money)))
            .QuickCheckThrowOnFailure();
    }
}
