using FsCheck;
using FsCheck.Fluent;

namespace B2BKpiApi.Metrics.Tests;

public sealed class SurveyKpiTests
{
    private static PeriodFacts WithSurveys(SurveyFacts surveys) => EmptyFacts with { Surveys = surveys };

    [Fact]
    public void Nps_is_40_for_the_seed_example()
    {
        // 60 % promoters, 20 % passives, 20 % detractors of 100 answers.
        var result = Kpi(KpiIds.NetPromoterScore, WithSurveys(NoSurveys with { NpsPromoters = 60, NpsPassives = 20, NpsDetractors = 20 }));
        AssertValue(result, 60m / 100m * 100m - 20m / 100m * 100m);
        Assert.Equal(40m, result.Value);
        Assert.Equal(["promoters", "passives", "detractors", "npsAnswers"], result.Inputs.Select(i => i.Name));
        Assert.Equal(new SampleSize(100, 30), result.Sample);
        Assert.False(result.Sample!.IsSmall);
    }

    [Fact]
    public void Nps_can_be_negative_and_rounds_half_away_from_zero()
    {
        // (1 − 2) / 3 × 100 = −33.333… → −33.33; (0 − 1) / 8 × 100 = −12.5 → −12.50.
        AssertValue(Kpi(KpiIds.NetPromoterScore, WithSurveys(NoSurveys with { NpsPromoters = 1, NpsDetractors = 2 })), -33.33m);
        AssertValue(Kpi(KpiIds.NetPromoterScore, WithSurveys(NoSurveys with { NpsPassives = 7, NpsDetractors = 1 })), -12.50m);
    }

    [Fact]
    public void Csat_is_the_share_of_4_and_5_answers()
    {
        // 2 / 3 × 100 = 66.666… → 66.67; 1 / 8 × 100 = 12.5 → 12.50.
        AssertValue(Kpi(KpiIds.CustomerSatisfactionScore, WithSurveys(NoSurveys with { CsatAnswers = 3, CsatSatisfied = 2 })), 66.67m);
        var result = Kpi(KpiIds.CustomerSatisfactionScore, WithSurveys(NoSurveys with { CsatAnswers = 8, CsatSatisfied = 1 }));
        AssertValue(result, 12.50m);
        Assert.True(result.Sample!.IsSmall);
    }

    [Fact]
    public void Ces_is_the_mean_score()
    {
        // (7 + 6 + 6) / 3 = 6.333… → 6.33
        var result = Kpi(KpiIds.CustomerEffortScore, WithSurveys(NoSurveys with { CesAnswers = 3, CesScoreSum = 19 }));
        AssertValue(result, 6.33m);
        Assert.Equal(new SampleSize(3, 30), result.Sample);
    }

    [Fact]
    public void Survey_kpis_are_undefined_without_answers_and_report_an_empty_sample()
    {
        var nps = Kpi(KpiIds.NetPromoterScore, EmptyFacts);
        AssertUndefined(nps, "no-nps-answers");
        Assert.Equal(new SampleSize(0, 30), nps.Sample);
        AssertUndefined(Kpi(KpiIds.CustomerSatisfactionScore, EmptyFacts), "no-csat-answers");
        AssertUndefined(Kpi(KpiIds.CustomerEffortScore, EmptyFacts), "no-ces-answers");
    }

    [Fact]
    public void Survey_kpis_are_not_applicable_when_the_filter_excludes_surveys()
    {
        var facts = EmptyFacts with { Surveys = null };
        foreach (var id in new[] { KpiIds.NetPromoterScore, KpiIds.CustomerSatisfactionScore, KpiIds.CustomerEffortScore })
        {
            var result = Kpi(id, facts);
            AssertUndefined(result, "filter-not-applicable");
            Assert.Null(result.Sample);
        }
    }

    [Fact]
    public void Reference_facts_split_nps_scores_at_6_7_8_9_and_count_answers_on_the_period_edges()
    {
        var surveys = new[]
        {
            new SurveyRecord("nps", 6, D("2025-01-01"), null),
            new SurveyRecord("nps", 7, D("2025-03-31"), null),
            new SurveyRecord("nps", 8, D("2025-02-01"), null),
            new SurveyRecord("nps", 9, D("2025-02-01"), null),
            new SurveyRecord("nps", 10, D("2025-04-01"), null), // after the period
            new SurveyRecord("csat", 3, D("2025-02-01"), null),
            new SurveyRecord("csat", 4, D("2025-02-01"), null),
            new SurveyRecord("ces", 2, D("2025-02-01"), null),
            new SurveyRecord("ces", 7, D("2024-12-31"), null),  // before the period
        };
        Assert.Equal(
            new SurveyFacts(NpsPromoters: 1, NpsPassives: 2, NpsDetractors: 1, CsatAnswers: 2, CsatSatisfied: 1, CesAnswers: 1, CesScoreSum: 2),
            ReferenceFacts.Compute(Records(surveys: surveys), Q1).Surveys);
    }

    [Fact]
    public void Nps_stays_within_minus_100_and_100_csat_within_0_and_100_and_ces_within_1_and_7()
    {
        Prop.ForAll(Generators.TenantAndPeriod, t =>
        {
            var facts = ReferenceFacts.Compute(t.Data, t.Period);
            if (Kpi(KpiIds.NetPromoterScore, facts).Value is { } nps)
                Assert.InRange(nps, -100m, 100m);
            if (Kpi(KpiIds.CustomerSatisfactionScore, facts).Value is { } csat)
                Assert.InRange(csat, 0m, 100m);
            if (Kpi(KpiIds.CustomerEffortScore, facts).Value is { } ces)
                Assert.InRange(ces, 1m, 7m);
        }).QuickCheckThrowOnFailure();
    }
}
