using System.Diagnostics;
using B2BKpiApi.Data;
using B2BKpiApi.Features.ChurnRisk;
using B2BKpiApi.Tests.Infrastructure;
using Xunit.Abstractions;

namespace B2BKpiApi.Tests.ChurnRisk;

/// <summary>The generator is the bench script's twin: same rows, checked by digest against the script itself.</summary>
public sealed class ChurnGeneratorParityTests
{
    // python3 bench/gen_churn.py --digest
    private const string ScriptDigest = "42afe3da1f7e820902d73ee48d8f87a895ac37b197b94a2344dc26b4f5a62f69";

    [Fact]
    public void The_CSharp_generator_makes_the_rows_the_committed_digest_of_the_script_names()
    {
        Assert.Equal(ScriptDigest, ChurnDataGenerator.Digest(ChurnDataGenerator.Generate()));
    }

    [Fact]
    public void The_bench_script_prints_the_same_digest_as_the_CSharp_generator()
    {
        // CI installs python3 (bench/ needs it); the script is stdlib only.
        var start = new ProcessStartInfo("python3", ["bench/gen_churn.py", "--digest"])
        {
            WorkingDirectory = Repo.Root, RedirectStandardOutput = true, RedirectStandardError = true,
        };
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEnd().Trim();
        Assert.True(process.WaitForExit(60_000), "gen_churn.py did not finish in a minute");
        Assert.Equal(0, process.ExitCode);
        Assert.Equal(ChurnDataGenerator.Digest(ChurnDataGenerator.Generate()), output);
    }

    [Fact]
    public void The_generated_tenant_has_enough_churn_for_the_model()
    {
        var data = ChurnDataGenerator.Generate();
        Assert.Equal(ChurnDataGenerator.Clients, data.Clients.Count);
        Assert.InRange(data.Clients.Count(c => c.ChurnedOn is not null), 100, 300);
        Assert.All(data.Clients.Where(c => c.ChurnedOn is not null), c => Assert.True(c.ChurnedOn > c.AcquiredOn));
    }
}

/// <summary>The model on the generated tenant: it must beat the naive baseline on the held-out period.</summary>
public sealed class ChurnBackTestTests(ITestOutputHelper output)
{
    [Fact]
    public void The_model_beats_the_days_to_contract_end_baseline_by_at_least_0_05_AUC_on_the_held_out_period()
    {
        var histories = ChurnDataGenerator.Histories(ChurnDataGenerator.Generate());
        var trained = ChurnTrainer.Train(histories, ChurnDataGenerator.End);
        var bt = trained.BackTest;
        output.WriteLine($"method={trained.Method} churnEvents={trained.ChurnEvents} training={bt.TrainingFrom}..{bt.TrainingTo} " +
                         $"({bt.TrainingExamples} examples, {bt.TrainingChurns} churns) heldOut={bt.HeldOutFrom}..{bt.HeldOutTo} " +
                         $"({bt.HeldOutExamples} examples, {bt.HeldOutChurns} churns)");
        output.WriteLine($"model    auc={bt.Model.RocAuc:F4} p@10%={bt.Model.PrecisionAtTop10Percent:F4} brier={bt.Model.BrierScore:F4}");
        output.WriteLine($"baseline auc={bt.Baseline!.RocAuc:F4} p@10%={bt.Baseline.PrecisionAtTop10Percent:F4} brier={bt.Baseline.BrierScore:F4}");
        output.WriteLine("weights: " + string.Join(", ", ChurnFactors.All.Select((f, i) => $"{f}={trained.Parameters!.Weights[i]:F3}")));

        Assert.Equal(ChurnMethods.LogisticRegression, trained.Method);
        Assert.True(bt.HeldOutFrom > bt.TrainingTo!.Value.AddDays(ChurnModelSettings.HorizonDays),
            "training labels must end before the held-out period begins");
        Assert.True(bt.HeldOutChurns >= 20, $"only {bt.HeldOutChurns} held-out churns");
        Assert.True(bt.Model.RocAuc - bt.Baseline.RocAuc >= 0.05,
            $"model AUC {bt.Model.RocAuc:F4} does not beat the baseline's {bt.Baseline.RocAuc:F4} by 0.05");
        Assert.True(bt.Model.BrierScore < bt.Baseline.BrierScore, "the model's probabilities should be better calibrated than the baseline's");
        // The hidden drivers show up with the signs they have in the generator.
        var w = trained.Parameters!.Weights;
        Assert.True(w[0] < 0, "more days to the contract end must lower the risk");
        Assert.True(w[2] < 0, "a higher economic-buyer score must lower the risk");
        Assert.True(w[4] > 0, "roles gone silent must raise the risk");
        for (var i = 0; i < w.Length; i++)
            Assert.True(w[i] * ChurnFactors.RiskDirection(ChurnFactors.All[i]) >= 0, $"{ChurnFactors.All[i]} has weight {w[i]:F4} against its direction");
    }

    [Fact]
    public void A_tenant_with_fewer_than_20_churn_events_gets_the_rules_score_and_says_why()
    {
        var data = ChurnDataGenerator.Generate(clients: 20);
        var histories = ChurnDataGenerator.Histories(data);
        var churns = data.Clients.Count(c => c.ChurnedOn is not null);
        Assert.True(churns < ChurnModelSettings.MinChurnEvents, $"{churns} churns");
        var trained = ChurnTrainer.Train(histories, ChurnDataGenerator.End);
        Assert.Equal(ChurnMethods.Rules, trained.Method);
        Assert.Equal("fewer-than-20-churn-events", trained.MethodReason);
        Assert.Null(trained.Parameters);
        Assert.Equal(churns, trained.ChurnEvents);
    }

    [Fact]
    public void The_served_logistic_probability_is_the_sigmoid_of_intercept_plus_contributions()
    {
        var histories = ChurnDataGenerator.Histories(ChurnDataGenerator.Generate());
        var parameters = ChurnTrainer.Train(histories, ChurnDataGenerator.End).Parameters!;
        var asOf = new DateOnly(2025, 6, 30);
        foreach (var h in histories.Where(h => h.Client.IsActiveOn(asOf)).Take(25))
        {
            var score = parameters.Score(ChurnFeatures.Extract(h, asOf));
            var logit = score.Intercept + score.Factors.Sum(f => f.Contribution);
            Assert.Equal(1 / (1 + Math.Exp(-logit)), score.Probability, 12);
            Assert.InRange(score.Probability, 0, 1);
        }
    }
}

/// <summary>Features use nothing dated after the day they are computed for.</summary>
public sealed class ChurnLeakageTests
{
    [Fact]
    public void No_record_dated_after_the_cutoff_changes_any_feature_of_any_client_at_any_cutoff()
    {
        var histories = ChurnDataGenerator.Histories(ChurnDataGenerator.Generate(clients: 150));
        var cutoffs = ChurnTrainer.Cutoffs(histories, ChurnDataGenerator.End);
        Assert.True(cutoffs.Count >= 20);
        var compared = 0;
        foreach (var cutoff in cutoffs)
        {
            foreach (var h in histories.Where(h => h.Client.IsActiveOn(cutoff)))
            {
                // What could have been known on the cut-off: records dated on or before it, and no churn date yet.
                var known = new ClientHistory(h.Client with { ChurnedOn = null },
                    h.Contracts.Where(c => c.SignedOn <= cutoff).ToList(), h.Answers.Where(a => a.RespondedOn <= cutoff).ToList());
                Assert.Equal(ChurnFeatures.Extract(known, cutoff).Values, ChurnFeatures.Extract(h, cutoff).Values);
                compared++;
            }
        }
        Assert.True(compared > 1000, $"only {compared} examples compared");
    }

    [Fact]
    public void A_contract_and_answers_dated_the_day_after_the_cutoff_change_no_feature()
    {
        var client = new ChurnClient(Guid.NewGuid(), "A", new DateOnly(2024, 1, 1), null);
        var cutoff = new DateOnly(2025, 3, 31);
        var history = new ClientHistory(client,
            [new ChurnContract(client.Id, new DateOnly(2024, 1, 1), new DateOnly(2024, 1, 1), new DateOnly(2025, 4, 30), 36_600_00)],
            [new ChurnAnswer(client.Id, SurveyKind.Nps, 9, new DateOnly(2024, 9, 1), RespondentRole.EconomicBuyer),
             new ChurnAnswer(client.Id, SurveyKind.Nps, 8, new DateOnly(2025, 2, 1), RespondentRole.User)]);
        var before = ChurnFeatures.Extract(history, cutoff).Values;
        var after = cutoff.AddDays(1);
        var later = history with
        {
            Contracts = [.. history.Contracts, new ChurnContract(client.Id, after, new DateOnly(2025, 5, 1), new DateOnly(2026, 4, 30), 10_000_00)],
            Answers = [.. history.Answers,
                new ChurnAnswer(client.Id, SurveyKind.Nps, 0, after, RespondentRole.EconomicBuyer),
                new ChurnAnswer(client.Id, SurveyKind.Nps, 1, after, RespondentRole.TechnicalBuyer),
                new ChurnAnswer(client.Id, SurveyKind.Nps, 2, after, RespondentRole.Gatekeeper)],
            Client = client with { ChurnedOn = after },
        };
        Assert.Equal(before, ChurnFeatures.Extract(later, cutoff).Values);
        // The same records do count the day after: the test would fail if they were ignored altogether.
        Assert.NotEqual(ChurnFeatures.Extract(later with { Client = client }, after).Values, ChurnFeatures.Extract(history, after).Values);
    }
}

/// <summary>A served model never explains a factor against its documented direction.</summary>
public sealed class ChurnFactorDirectionTests
{
    // Churn is driven by days to the contract end; the survey trend rises with churn (as when it stands in for a
    // correlated driver), the opposite of its documented direction (a rising trend may only lower the risk).
    private static List<(ChurnFeatureVector Features, bool Label)> Examples()
    {
        var random = new Random(7);
        var examples = new List<(ChurnFeatureVector, bool)>();
        for (var i = 0; i < 2000; i++)
        {
            var days = random.Next(0, 181);
            var trend = random.NextDouble() * 6 - 3;
            var logit = -1.0 - days / 40.0 + 1.2 * trend;
            var label = random.NextDouble() < 1 / (1 + Math.Exp(-logit));
            double[] values = [days, random.NextDouble() * 20 - 10, random.Next(0, 11), random.Next(0, 3), random.Next(0, 2), trend];
            examples.Add((new ChurnFeatureVector(values, true, days > 0), label));
        }
        return examples;
    }

    [Fact]
    public void A_factor_fitted_against_its_documented_direction_is_left_out_and_the_rest_refitted()
    {
        var examples = Examples();
        var unconstrained = ChurnTrainer.Fit(examples, [0, 1, 2, 3, 4, 5]);
        Assert.True(unconstrained.Weights[5] > 0.5, $"the plain fit should give the survey trend a clearly positive weight, got {unconstrained.Weights[5]:F3}");

        var served = ChurnTrainer.FitWithDocumentedDirections(examples);
        Assert.Equal(0.0, served.Weights[5]);
        Assert.True(served.Weights[0] < 0, "days to the contract end must still lower the risk");
        for (var i = 0; i < ChurnFactors.All.Count; i++)
            Assert.True(served.Weights[i] * ChurnFactors.RiskDirection(ChurnFactors.All[i]) >= 0,
                $"{ChurnFactors.All[i]} has weight {served.Weights[i]:F4} against its direction");

        // Left out means no contribution, and the sentence says so.
        var score = served.Score(examples[0].Features);
        Assert.Equal(0.0, score.Factors[5].Contribution);
        Assert.EndsWith("hardly moves the risk.", ChurnWords.Describe(ChurnFactors.SurveyTrend, -3.0, score.Factors[5].Contribution, true));
    }

    [Fact]
    public void With_every_factor_against_its_direction_the_model_is_the_churn_rate()
    {
        // Each factor moves the risk the wrong way: days to the end raise it, detractors lower it, and so on.
        var random = new Random(11);
        var examples = new List<(ChurnFeatureVector Features, bool Label)>();
        for (var i = 0; i < 1500; i++)
        {
            double[] values = [random.Next(0, 181), random.NextDouble() * 20 - 10, random.Next(0, 11), random.Next(0, 3), random.Next(0, 3), random.NextDouble() * 6 - 3];
            var logit = -2.0 + Enumerable.Range(0, 6).Sum(k => -ChurnFactors.RiskDirection(ChurnFactors.All[k]) * values[k] / (k == 0 ? 60.0 : k == 1 ? 6.0 : 2.0));
            examples.Add((new ChurnFeatureVector(values, true, values[0] > 0), random.NextDouble() < 1 / (1 + Math.Exp(-logit))));
        }
        var served = ChurnTrainer.FitWithDocumentedDirections(examples);
        Assert.All(served.Weights, w => Assert.Equal(0.0, w));
        var rate = examples.Count(e => e.Label) / (double)examples.Count;
        Assert.Equal(rate, LogisticParameters.Sigmoid(served.Bias), 9);
    }
}
