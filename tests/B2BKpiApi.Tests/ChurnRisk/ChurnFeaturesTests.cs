using B2BKpiApi.Data;
using B2BKpiApi.Features.ChurnRisk;

namespace B2BKpiApi.Tests.ChurnRisk;

public sealed class ChurnFeaturesTests
{
    private static readonly ChurnClient Client = new(Guid.NewGuid(), "Acme", new DateOnly(2023, 1, 1), null);
    private static readonly DateOnly AsOf = new(2025, 6, 30);

    private static ChurnAnswer Nps(int score, DateOnly on, RespondentRole? role) => new(Client.Id, SurveyKind.Nps, score, on, role);

    [Fact]
    public void Each_feature_follows_its_documented_definition()
    {
        var history = new ClientHistory(Client,
        [
            // 2024-07-01..2025-06-30, 365 days for 36,600.00: 100.27 a day.
            new ChurnContract(Client.Id, new DateOnly(2024, 6, 1), new DateOnly(2024, 7, 1), new DateOnly(2025, 6, 30), 3_660_000),
            // The renewal, signed already: 2025-07-01..2025-09-28, 90 days for 7,200.00: 80.00 a day.
            new ChurnContract(Client.Id, new DateOnly(2025, 6, 15), new DateOnly(2025, 7, 1), new DateOnly(2025, 9, 28), 720_000),
            // Signed after asOf: ignored.
            new ChurnContract(Client.Id, new DateOnly(2025, 7, 5), new DateOnly(2025, 9, 29), new DateOnly(2026, 9, 28), 99_999_900),
        ],
        [
            Nps(9, new DateOnly(2024, 12, 1), RespondentRole.EconomicBuyer),
            Nps(5, new DateOnly(2025, 5, 1), RespondentRole.EconomicBuyer),        // latest EB: 5, a detractor
            Nps(3, new DateOnly(2024, 11, 1), RespondentRole.TechnicalBuyer),      // silent since: answered only > 180 days ago
            Nps(10, new DateOnly(2025, 6, 1), RespondentRole.User),
            Nps(6, new DateOnly(2025, 6, 20), RespondentRole.Gatekeeper),          // detractor
            Nps(0, new DateOnly(2025, 6, 25), RespondentRole.Other),               // 'other' is not a DMU role
            Nps(0, new DateOnly(2024, 5, 1), RespondentRole.User),                 // older than 365 days: ignored
        ]);
        var f = ChurnFeatures.Extract(history, AsOf);

        Assert.Equal(90, f.Values[0]);                   // 2025-09-28 − 2025-06-30
        Assert.Equal((80.0 / (3_660_000 / 365.0 / 100) - 1) * 100, f.Values[1], 9);
        Assert.Equal(5, f.Values[2]);
        Assert.Equal(3, f.Values[3]);                    // economic buyer 5, technical buyer 3, gatekeeper 6
        Assert.Equal(1, f.Values[4]);                    // technical buyer
        // last 180 days (after 2025-01-01): 5, 10, 6, 0 → 5.25; the 180 before: 9, 3 → 6.
        Assert.Equal(5.25 - 6.0, f.Values[5], 9);
        Assert.True(f.EconomicBuyerHeard);
        Assert.True(f.HasContract);
    }

    [Fact]
    public void Missing_inputs_take_the_documented_neutral_values()
    {
        var f = ChurnFeatures.Extract(new ClientHistory(Client, [], []), AsOf);
        Assert.Equal([0, 0, ChurnFeatures.NeutralNpsScore, 0, 0, 0], f.Values);
        Assert.False(f.EconomicBuyerHeard);
        Assert.False(f.HasContract);
    }

    [Fact]
    public void Days_to_contract_end_are_capped_at_180()
    {
        var history = new ClientHistory(Client,
            [new ChurnContract(Client.Id, new DateOnly(2025, 1, 1), new DateOnly(2025, 1, 1), new DateOnly(2030, 1, 1), 100_00)], []);
        Assert.Equal(180, ChurnFeatures.Extract(history, AsOf).Values[0]);
    }

    [Fact]
    public void Rules_add_the_documented_points_to_minus_3()
    {
        var features = new ChurnFeatureVector([20, -15, 4, 2, 1, -2], EconomicBuyerHeard: true, HasContract: true);
        var score = ChurnRules.Score(features);
        var expected = -3.0 + 2.5 + 1.0 + 1.0 + 1.0 + 0.5 + 0.5;
        Assert.Equal(1 / (1 + Math.Exp(-expected)), score.Probability, 12);
        Assert.Equal([2.5, 1.0, 1.0, 1.0, 0.5, 0.5], score.Factors.Select(x => x.Contribution));
        var calm = ChurnRules.Score(new ChurnFeatureVector([400, 12, 10, 0, 0, 2], true, true));
        Assert.Equal(1 / (1 + Math.Exp(-(-3.0 - 0.5 - 0.5 - 0.25))), calm.Probability, 12);
        // An economic buyer not heard from scores nothing either way.
        Assert.Equal(0, ChurnRules.Score(new ChurnFeatureVector([400, 0, 7, 0, 0, 0], false, true)).Factors[2].Contribution);
    }
    /// <summary>
    /// The one-pass <see cref="ChurnFeatures.Extract"/> equals the features written as queries, bit for bit, on random
    /// histories dense in ties (few distinct days, equal start dates, several answers of one role on one day) and
    /// around the window edges (365 and 180 days before asOf, contracts signed on or after asOf).
    /// </summary>
    [Fact]
    public void The_one_pass_extraction_equals_the_queries_on_random_histories()
    {
        var random = new Random(20261205);
        var roles = new RespondentRole?[] { null, RespondentRole.EconomicBuyer, RespondentRole.TechnicalBuyer, RespondentRole.User, RespondentRole.Gatekeeper, RespondentRole.Other };
        var offsets = new[] { -400, -366, -365, -364, -200, -181, -180, -179, -90, -30, -1, 0, 1, 30 };
        var checkedFeatures = 0;
        for (var n = 0; n < 3000; n++)
        {
            var contracts = new List<ChurnContract>();
            for (var k = random.Next(0, 5); k > 0; k--)
            {
                var start = AsOf.AddDays(offsets[random.Next(offsets.Length)] - random.Next(0, 3) * 365);
                var end = start.AddDays(random.Next(0, 4) switch { 0 => 0, 1 => 89, 2 => 364, _ => 729 });
                var signed = random.Next(3) == 0 ? start : start.AddDays(offsets[random.Next(offsets.Length)] / 10);
                contracts.Add(new ChurnContract(Client.Id, signed, start, end, random.Next(1, 5) * 100_000L));
            }
            var answers = new List<ChurnAnswer>();
            for (var k = random.Next(0, 12); k > 0; k--)
                answers.Add(new ChurnAnswer(Client.Id, random.Next(4) == 0 ? SurveyKind.Csat : SurveyKind.Nps, random.Next(0, 11),
                    AsOf.AddDays(offsets[random.Next(offsets.Length)]), roles[random.Next(roles.Length)]));
            var history = new ClientHistory(Client, contracts, answers);
            var asOf = AsOf.AddDays(random.Next(0, 3) - 1);

            var fast = ChurnFeatures.Extract(history, asOf);
            var reference = ChurnFeatures.ExtractByQueries(history, asOf);
            Assert.Equal(reference.Values, fast.Values);
            Assert.Equal(reference.EconomicBuyerHeard, fast.EconomicBuyerHeard);
            Assert.Equal(reference.HasContract, fast.HasContract);
            checkedFeatures += reference.Values.Count(v => v != 0);
        }
        Assert.True(checkedFeatures > 3000, $"the random histories exercise non-zero features ({checkedFeatures})");
    }
}

public sealed class BackTestMetricsTests
{
    [Fact]
    public void Roc_auc_counts_pairs_ordered_right_and_ties_as_half()
    {
        // Positives 0.9 and 0.4; negatives 0.8, 0.4, 0.1: pairs (0.9>all: 3) + (0.4 vs 0.8: 0, vs 0.4: ½, vs 0.1: 1) = 4.5 of 6.
        Assert.Equal(0.75, BackTestMetrics.RocAuc([0.9, 0.8, 0.4, 0.4, 0.1], [true, false, true, false, false])!.Value, 12);
        Assert.Equal(1.0, BackTestMetrics.RocAuc([0.9, 0.1], [true, false])!.Value, 12);
        Assert.Null(BackTestMetrics.RocAuc([0.9, 0.1], [true, true]));
    }

    [Fact]
    public void Precision_at_top_10_percent_reads_the_top_tenth_rounded_up()
    {
        var scores = Enumerable.Range(0, 20).Select(i => i / 20.0).ToList();  // top 2: indexes 19 and 18
        var labels = Enumerable.Range(0, 20).Select(i => i == 19).ToList();
        Assert.Equal(0.5, BackTestMetrics.PrecisionAtTop(scores, labels)!.Value, 12);
        Assert.Null(BackTestMetrics.PrecisionAtTop([], []));
    }

    [Fact]
    public void Brier_is_the_mean_squared_error_of_the_probabilities()
    {
        Assert.Equal((0.01 + 0.04) / 2, BackTestMetrics.Brier([0.9, 0.2], [true, false])!.Value, 12);
    }

}
