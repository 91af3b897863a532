using System.Globalization;

namespace B2BKpiApi.Features.ChurnRisk;

/// <summary>How a churn probability was computed.</summary>
public static class ChurnMethods
{
    /// <summary>The tenant's own logistic regression (ML.NET L-BFGS), trained on its history.</summary>
    public const string LogisticRegression = "logistic-regression";

    /// <summary>The documented fixed rules score (README "Churn risk"), for tenants with too little history.</summary>
    public const string Rules = "rules";
}

/// <summary>One factor's part in a score: its value and its contribution to the log-odds of churning.</summary>
public sealed record ScoredFactor(string Factor, double Value, double Contribution);

/// <summary>A probability with the log-odds it came from: intercept + Σ contributions.</summary>
public sealed record ChurnScore(double Probability, double Intercept, IReadOnlyList<ScoredFactor> Factors);

/// <summary>
/// A fitted logistic regression over standardized features: <c>z_i = (x_i − mean_i) / scale_i</c>, and
/// <c>P(churn) = σ(bias + Σ w_i z_i)</c>. The contribution of a factor is <c>w_i × z_i</c>, so the factors of
/// a client add up (with the bias) to the log-odds of its probability.
/// </summary>
public sealed record LogisticParameters(double Bias, double[] Weights, double[] Means, double[] Scales)
{
    public ChurnScore Score(ChurnFeatureVector features)
    {
        var factors = new List<ScoredFactor>(Weights.Length);
        var logit = Bias;
        for (var i = 0; i < Weights.Length; i++)
        {
            var contribution = Weights[i] * Standardize(features.Values[i], i);
            logit += contribution;
            factors.Add(new ScoredFactor(ChurnFactors.All[i], features.Values[i], contribution));
        }
        return new ChurnScore(Sigmoid(logit), Bias, factors);
    }

    /// <summary><see cref="Score"/>'s probability alone (the same sum in the same order), without the factors.</summary>
    public double Probability(ChurnFeatureVector features)
    {
        var logit = Bias;
        for (var i = 0; i < Weights.Length; i++)
            logit += Weights[i] * Standardize(features.Values[i], i);
        return Sigmoid(logit);
    }

    public double Standardize(double value, int index) => (value - Means[index]) / Scales[index];

    public static double Sigmoid(double logit) => 1.0 / (1.0 + Math.Exp(-logit));
}

/// <summary>
/// The rules score a tenant with fewer than <see cref="ChurnModelSettings.MinChurnEvents"/> churn events gets: fixed
/// points on the log-odds, starting from −3 (σ(−3) ≈ 4.7 %), each documented in the README:
/// days to contract end ≤ 30: +2.5, ≤ 90: +1.5, under 180: +0.5 (no running contract counts as 0 days);
/// contract value change ≤ −10 %: +1.0, ≥ +10 %: −0.5; economic buyer's latest NPS ≤ 6: +1.0, ≥ 9: −0.5 (not heard: 0);
/// +0.5 per DMU detractor and per role gone silent (each at most 3); survey trend ≤ −1.5 points: +0.5, ≥ +1.5: −0.25.
/// </summary>
public static class ChurnRules
{
    public const double Intercept = -3.0;

    public static ChurnScore Score(ChurnFeatureVector features)
    {
        var v = features.Values;
        var days = v[0] switch { <= 30 => 2.5, <= 90 => 1.5, < 180 => 0.5, _ => 0.0 };
        var change = v[1] switch { <= -10 => 1.0, >= 10 => -0.5, _ => 0.0 };
        var eb = !features.EconomicBuyerHeard ? 0.0 : v[2] switch { <= 6 => 1.0, >= 9 => -0.5, _ => 0.0 };
        var detractors = 0.5 * Math.Min(v[3], 3);
        var silent = 0.5 * Math.Min(v[4], 3);
        var trend = v[5] switch { <= -1.5 => 0.5, >= 1.5 => -0.25, _ => 0.0 };
        double[] contributions = [days, change, eb, detractors, silent, trend];
        var factors = ChurnFactors.All.Select((f, i) => new ScoredFactor(f, v[i], contributions[i])).ToList();
        return new ChurnScore(LogisticParameters.Sigmoid(Intercept + contributions.Sum()), Intercept, factors);
    }
}

/// <summary>Factors in words, for the response and the dashboard.</summary>
public static class ChurnWords
{
    public static string Describe(string factor, double value, double contribution, bool economicBuyerHeard)
    {
        var effect = contribution switch
        {
            > 0.005 => "raises the risk",
            < -0.005 => "lowers the risk",
            _ => "hardly moves the risk",
        };
        var text = factor switch
        {
            ChurnFactors.DaysToContractEnd => value <= 0 ? "No contract is running" : $"The contract ends in {N(value, 0)} days",
            ChurnFactors.ContractValueChange => Math.Abs(value) < 0.05 ? "The latest contract is worth the same per day as the one before"
                : value < 0 ? $"The latest contract is worth {N(-value, 1)} % less per day than the one before"
                : $"The latest contract is worth {N(value, 1)} % more per day than the one before",
            ChurnFactors.EconomicBuyerNps => economicBuyerHeard ? $"The economic buyer last scored {N(value, 0)} out of 10"
                : "No economic buyer answered in the last 365 days",
            ChurnFactors.DmuDetractors => value == 0 ? "No role of the buying committee is a detractor"
                : $"{N(value, 0)} role(s) of the buying committee are detractors (NPS 0–6)",
            ChurnFactors.RolesGoneSilent => value == 0 ? "No role has gone silent"
                : $"{N(value, 0)} role(s) answered before but not in the last 180 days",
            ChurnFactors.SurveyTrend => Math.Abs(value) < 0.05 ? "NPS scores are flat over the last 180 days"
                : value < 0 ? $"NPS scores fell by {N(-value, 1)} points over the last 180 days"
                : $"NPS scores rose by {N(value, 1)} points over the last 180 days",
            _ => factor,
        };
        return $"{text}: {effect}.";
    }

    private static string N(double value, int decimals) =>
        Math.Round(value, decimals, MidpointRounding.AwayFromZero).ToString("0." + new string('#', decimals), CultureInfo.InvariantCulture);
}

/// <summary>Back-test measures of probabilities against outcomes.</summary>
public static class BackTestMetrics
{
    /// <summary>
    /// ROC AUC: the probability that a random churner is scored above a random non-churner (ties count half),
    /// computed from average ranks (Mann–Whitney U). Null when either class is empty.
    /// </summary>
    public static double? RocAuc(IReadOnlyList<double> scores, IReadOnlyList<bool> labels)
    {
        var positives = labels.Count(l => l);
        var negatives = labels.Count - positives;
        if (positives == 0 || negatives == 0)
            return null;
        var order = Enumerable.Range(0, scores.Count).OrderBy(i => scores[i]).ToArray();
        var rankSumPositives = 0.0;
        for (var start = 0; start < order.Length;)
        {
            var end = start;
            while (end + 1 < order.Length && scores[order[end + 1]] == scores[order[start]])
                end++;
            var averageRank = (start + end) / 2.0 + 1.0; // ranks are 1-based
            for (var k = start; k <= end; k++)
                if (labels[order[k]])
                    rankSumPositives += averageRank;
            start = end + 1;
        }
        return (rankSumPositives - positives * (positives + 1) / 2.0) / ((double)positives * negatives);
    }

    /// <summary>
    /// The share of churners among the top 10 % by score (at least one example; ties at the cut broken by
    /// the order given). Null for no examples.
    /// </summary>
    public static double? PrecisionAtTop(IReadOnlyList<double> scores, IReadOnlyList<bool> labels, double share = 0.10)
    {
        if (scores.Count == 0)
            return null;
        var take = Math.Max(1, (int)Math.Ceiling(scores.Count * share));
        var top = Enumerable.Range(0, scores.Count).OrderByDescending(i => scores[i]).ThenBy(i => i).Take(take);
        return top.Count(i => labels[i]) / (double)take;
    }

    /// <summary>Brier score: the mean squared difference between probability and outcome (0 is perfect). Null for no examples.</summary>
    public static double? Brier(IReadOnlyList<double> probabilities, IReadOnlyList<bool> labels) =>
        probabilities.Count == 0 ? null
            : probabilities.Select((p, i) => (p - (labels[i] ? 1.0 : 0.0)) * (p - (labels[i] ? 1.0 : 0.0))).Average();
}
