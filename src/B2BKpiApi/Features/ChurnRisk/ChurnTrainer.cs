using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Trainers;

namespace B2BKpiApi.Features.ChurnRisk;

/// <summary>The fixed choices of the churn model (documented in the README).</summary>
public static class ChurnModelSettings
{
    /// <summary>A tenant with fewer churned clients than this gets the rules score.</summary>
    public const int MinChurnEvents = 20;

    /// <summary>The probability is of churning within this many days after asOf.</summary>
    public const int HorizonDays = 90;

    /// <summary>Cut-offs are this many days apart, the latest one <see cref="HorizonDays"/> before the training day.</summary>
    public const int CutoffStepDays = 30;

    /// <summary>At most this many cut-offs (four years of monthly snapshots) are used.</summary>
    public const int MaxCutoffs = 48;

    /// <summary>The first cut-off is this many days after the first client was acquired, so that features have history.</summary>
    public const int WarmUpDays = 180;

    /// <summary>The held-out period: the cut-offs of the last this-many days before the latest cut-off.</summary>
    public const int HeldOutDays = 180;
}

/// <summary>Measures of one scorer on the held-out period.</summary>
public sealed record BackTestScores(double? RocAuc, double? PrecisionAtTop10Percent, double? BrierScore);

/// <summary>What a training run found: the windows, the examples, and the held-out measures of the model (or rules) and the baseline.</summary>
public sealed record BackTestResult(
    DateOnly? TrainingFrom, DateOnly? TrainingTo, DateOnly? HeldOutFrom, DateOnly? HeldOutTo,
    int TrainingExamples, int TrainingChurns, int HeldOutExamples, int HeldOutChurns,
    BackTestScores Model, BackTestScores? Baseline);

/// <summary>A training run's outcome: which method the tenant gets, why, and the parameters when it is the model.</summary>
public sealed record TrainedChurnModel(
    string Method, string? MethodReason, DateOnly AsOf, int ChurnEvents, LogisticParameters? Parameters,
    DateOnly? ServedFrom, DateOnly? ServedTo, BackTestResult BackTest);

/// <summary>
/// Trains a tenant's churn model on its own history: at monthly cut-offs before the training day, every client
/// active on the cut-off is an example whose features use only records dated on or before it and whose label is
/// "churned within the 90 days after it". The later <see cref="ChurnModelSettings.HeldOutDays"/> of cut-offs are
/// held out; the model is fitted on the cut-offs whose label windows end before the held-out period begins, and
/// measured on the held-out period beside a naive baseline (a logistic regression on days to contract end alone).
/// The model served is then refitted on every cut-off. Runs in the background worker, never on a request.
/// </summary>
public static class ChurnTrainer
{
    private sealed record Example(ChurnFeatureVector Features, bool Label, DateOnly Cutoff);

    public static TrainedChurnModel Train(IReadOnlyList<ClientHistory> histories, DateOnly asOf)
    {
        var churnEvents = histories.Count(h => h.Client.ChurnedOn is { } c && c <= asOf);
        var cutoffs = Cutoffs(histories, asOf);
        var heldOutFrom = cutoffs.Count == 0 ? (DateOnly?)null : cutoffs[^1].AddDays(-ChurnModelSettings.HeldOutDays + 1);
        var examples = cutoffs.SelectMany(c => ExamplesAt(histories, c)).ToList();
        var heldOut = examples.Where(e => e.Cutoff >= heldOutFrom).ToList();
        var training = examples.Where(e => e.Cutoff.AddDays(ChurnModelSettings.HorizonDays) < heldOutFrom).ToList();

        string? reason = null;
        if (churnEvents < ChurnModelSettings.MinChurnEvents)
            reason = "fewer-than-20-churn-events";
        else if (!training.Any(e => e.Label) || training.All(e => e.Label))
            reason = "training-window-has-one-outcome-only";
        else if (!examples.Any(e => !e.Label))
            reason = "training-window-has-one-outcome-only";

        var baseline = HasBothOutcomes(training) ? Fit(training, [0]) : null;
        var baselineScores = baseline is null ? null
            : Measure(heldOut, e => LogisticParameters.Sigmoid(baseline.Bias + baseline.Weights[0] * baseline.Standardize(e.Features.Values[0], 0)));

        var windowTraining = training.Count == 0 ? (null, null) : ((DateOnly?)training.Min(e => e.Cutoff), (DateOnly?)training.Max(e => e.Cutoff));
        var windowHeldOut = heldOut.Count == 0 ? (null, null) : ((DateOnly?)heldOut.Min(e => e.Cutoff), (DateOnly?)heldOut.Max(e => e.Cutoff));

        if (reason is not null)
        {
            var rulesScores = Measure(heldOut, e => ChurnRules.Score(e.Features).Probability);
            return new TrainedChurnModel(ChurnMethods.Rules, reason, asOf, churnEvents, null, null, null,
                Result(windowTraining, windowHeldOut, training, heldOut, rulesScores, baselineScores));
        }

        var backTestModel = FitWithDocumentedDirections(training);
        var modelScores = Measure(heldOut, e => backTestModel.Score(e.Features).Probability);
        var served = FitWithDocumentedDirections(examples);
        return new TrainedChurnModel(ChurnMethods.LogisticRegression, null, asOf, churnEvents, served,
            examples.Min(e => e.Cutoff), examples.Max(e => e.Cutoff),
            Result(windowTraining, windowHeldOut, training, heldOut, modelScores, baselineScores));
    }

    private static BackTestResult Result(
        (DateOnly? From, DateOnly? To) training, (DateOnly? From, DateOnly? To) heldOut, List<Example> trainingExamples,
        List<Example> heldOutExamples, BackTestScores model, BackTestScores? baseline) =>
        new(training.From, training.To, heldOut.From, heldOut.To, trainingExamples.Count, trainingExamples.Count(e => e.Label),
            heldOutExamples.Count, heldOutExamples.Count(e => e.Label), model, baseline);

    private static bool HasBothOutcomes(List<Example> examples) => examples.Any(e => e.Label) && examples.Any(e => !e.Label);

    /// <summary>
    /// The day a training stands on: today, or the tenant's last recorded day when its data stops earlier (a tenant that
    /// stopped syncing in March would otherwise have its latest cut-offs over months where nothing could be seen to churn).
    /// The last recorded day is the latest acquiredOn, churnedOn, contract signedOn or answer respondedOn up to today.
    /// </summary>
    public static DateOnly TrainingDay(IReadOnlyList<ClientHistory> histories, DateOnly today)
    {
        var last = DateOnly.MinValue;
        foreach (var h in histories)
        {
            var days = new[] { h.Client.AcquiredOn, h.Client.ChurnedOn ?? DateOnly.MinValue }
                .Concat(h.Contracts.Select(c => c.SignedOn)).Concat(h.Answers.Select(a => a.RespondedOn));
            foreach (var d in days)
                if (d <= today && d > last)
                    last = d;
        }
        return last == DateOnly.MinValue ? today : last;
    }

    /// <summary>The cut-offs for a training day: every 30 days back from 90 days before it, at most 48, none in the warm-up.</summary>
    public static IReadOnlyList<DateOnly> Cutoffs(IReadOnlyList<ClientHistory> histories, DateOnly asOf)
    {
        if (histories.Count == 0)
            return [];
        var earliest = histories.Min(h => h.Client.AcquiredOn).AddDays(ChurnModelSettings.WarmUpDays);
        var result = new List<DateOnly>();
        for (var c = asOf.AddDays(-ChurnModelSettings.HorizonDays); c >= earliest && result.Count < ChurnModelSettings.MaxCutoffs;
             c = c.AddDays(-ChurnModelSettings.CutoffStepDays))
            result.Add(c);
        result.Reverse();
        return result;
    }

    private static IEnumerable<Example> ExamplesAt(IReadOnlyList<ClientHistory> histories, DateOnly cutoff) =>
        histories.Where(h => h.Client.IsActiveOn(cutoff))
            .Select(h => new Example(ChurnFeatures.Extract(h, cutoff), h.Client.ChurnsWithin(cutoff, ChurnModelSettings.HorizonDays), cutoff));

    private static BackTestScores Measure(List<Example> examples, Func<Example, double> probability)
    {
        var p = examples.Select(probability).ToList();
        var labels = examples.Select(e => e.Label).ToList();
        return new BackTestScores(BackTestMetrics.RocAuc(p, labels), BackTestMetrics.PrecisionAtTop(p, labels), BackTestMetrics.Brier(p, labels));
    }

    private sealed class Row
    {
        public float[] Features { get; set; } = [];
        public bool Label { get; set; }
    }

    /// <summary>
    /// Fits every factor, then, while a factor's weight points against its documented direction
    /// (<see cref="ChurnFactors.RiskDirection"/>), leaves out the one that points against it most and fits again. A
    /// factor left out has weight 0 and contributes nothing, so an explanation never says, for example, that falling
    /// NPS scores lower the risk: with correlated factors a fit can give one of them the opposite sign, which says
    /// nothing about that factor and would mislead the account manager reading it.
    /// </summary>
    internal static LogisticParameters FitWithDocumentedDirections(IReadOnlyList<(ChurnFeatureVector Features, bool Label)> examples) =>
        FitWithDocumentedDirections(examples.Select(e => new Example(e.Features, e.Label, default)).ToList());

    private static LogisticParameters FitWithDocumentedDirections(List<Example> examples)
    {
        var features = Enumerable.Range(0, ChurnFactors.All.Count).ToList();
        while (true)
        {
            var fitted = Fit(examples, [.. features]);
            var against = features
                .Select(i => (Index: i, Signed: fitted.Weights[i] * ChurnFactors.RiskDirection(ChurnFactors.All[i])))
                .Where(x => x.Signed < 0)
                .OrderBy(x => x.Signed)
                .ToList();
            if (against.Count == 0)
                return fitted;
            features.Remove(against[0].Index);
            if (features.Count == 0)
                return InterceptOnly(examples, fitted.Weights.Length);
        }
    }

    /// <summary>No factor kept: every client gets the examples' churn rate (both outcomes are present when this runs).</summary>
    private static LogisticParameters InterceptOnly(List<Example> examples, int width)
    {
        var rate = Math.Clamp(examples.Count(e => e.Label) / (double)examples.Count, 1e-6, 1 - 1e-6);
        return new LogisticParameters(Math.Log(rate / (1 - rate)), new double[width], new double[width], Enumerable.Repeat(1.0, width).ToArray());
    }

    /// <summary>
    /// Standardizes the chosen features on the examples and fits ML.NET's L-BFGS logistic regression (L2 only: the
    /// fit itself zeroes no factor). Returns weights over all six features, zero for those not chosen (mean 0, scale 1).
    /// </summary>
    internal static LogisticParameters Fit(IReadOnlyList<(ChurnFeatureVector Features, bool Label)> examples, int[] features) =>
        Fit(examples.Select(e => new Example(e.Features, e.Label, default)).ToList(), features);

    private static LogisticParameters Fit(List<Example> examples, int[] features)
    {
        var width = ChurnFactors.All.Count;
        var means = new double[width];
        var scales = Enumerable.Repeat(1.0, width).ToArray();
        foreach (var i in features)
        {
            var values = examples.Select(e => e.Features.Values[i]).ToList();
            means[i] = values.Average();
            var sd = Math.Sqrt(values.Sum(v => (v - means[i]) * (v - means[i])) / values.Count);
            scales[i] = sd > 1e-9 ? sd : 1.0;
        }
        var rows = examples.Select(e => new Row
        {
            Features = features.Select(i => (float)((e.Features.Values[i] - means[i]) / scales[i])).ToArray(),
            Label = e.Label,
        });
        var ml = new MLContext(seed: 1);
        var schema = SchemaDefinition.Create(typeof(Row));
        schema[nameof(Row.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, features.Length);
        var data = ml.Data.LoadFromEnumerable(rows, schema);
        var trainer = ml.BinaryClassification.Trainers.LbfgsLogisticRegression(new LbfgsLogisticRegressionBinaryTrainer.Options
        {
            LabelColumnName = nameof(Row.Label),
            FeatureColumnName = nameof(Row.Features),
            L1Regularization = 0f,
            L2Regularization = 0.1f,
        });
        var linear = trainer.Fit(data).Model.SubModel;
        var weights = new double[width];
        for (var k = 0; k < features.Length; k++)
            weights[features[k]] = linear.Weights[k];
        return new LogisticParameters(linear.Bias, weights, means, scales);
    }
}
