using System.Globalization;
using B2BKpiApi.Features.Kpis;

namespace B2BKpiApi.Alerts;

/// <summary>The state a condition puts a rule in, and why, in words a person reads in the event and in <c>GET /v1/alerts/{id}</c>.</summary>
public sealed record AlertOutcome(AlertState State, string Why);

/// <summary>Judges a condition on the KPI results exactly as the API returns them (rounded values, the benchmark verdict).</summary>
public static class AlertConditions
{
    public static AlertOutcome Judge(AlertCondition condition, KpiResultResponse current, KpiResultResponse previous)
    {
        if (current.Value is not { } value)
            return new(AlertState.NoData, $"The KPI has no value for {Describe(current.Period)} ({current.Reason}).");
        return condition.Type switch
        {
            AlertConditionType.Above => Compare(value, condition.Threshold!.Value, value > condition.Threshold.Value, "above"),
            AlertConditionType.Below => Compare(value, condition.Threshold!.Value, value < condition.Threshold.Value, "below"),
            AlertConditionType.OutsideBenchmark => Benchmark(value, current.Benchmark),
            AlertConditionType.Change => Change(value, previous, condition.By!.Value, condition.Unit!.Value),
            _ => throw new ArgumentOutOfRangeException(nameof(condition), condition.Type, null),
        };
    }

    private static AlertOutcome Compare(decimal value, decimal threshold, bool fires, string side) => fires
        ? new(AlertState.Firing, $"The value {N(value)} is {side} the threshold {N(threshold)}.")
        : new(AlertState.Ok, $"The value {N(value)} is not {side} the threshold {N(threshold)}.");

    /// <summary>
    /// The verdict is unfavourable when the value lies in no band and every band that applies says its side is
    /// unfavourable: a value between two bands (above "typical", below "leading") is not an alert.
    /// </summary>
    private static AlertOutcome Benchmark(decimal value, BenchmarkComparisonResponse benchmark)
    {
        if (benchmark.NoVerdictReason is { } reason || benchmark.Bands.Count == 0)
            return new(AlertState.NoData, $"The benchmark gives no verdict ({benchmark.NoVerdictReason ?? "no-band"}).");
        var bands = string.Join(", ", benchmark.Bands.Select(b => $"{b.Label} ({b.Industry}): {b.Position}"));
        return benchmark.Bands.All(b => !b.Favourable)
            ? new(AlertState.Firing, $"The value {N(value)} is on the unfavourable side of every benchmark band: {bands}.")
            : new(AlertState.Ok, benchmark.MatchedBand is { } matched
                ? $"The value {N(value)} is within the benchmark band '{matched}'."
                : $"The value {N(value)} is on the favourable side of a benchmark band: {bands}.");
    }

    private static AlertOutcome Change(decimal value, KpiResultResponse previous, decimal by, AlertChangeUnit unit)
    {
        if (previous.Value is not { } before)
            return new(AlertState.NoData, $"The previous period {Describe(previous.Period)} has no value ({previous.Reason}): there is no change to measure.");
        decimal change;
        string measured;
        if (unit == AlertChangeUnit.Points)
        {
            change = value - before;
            measured = $"{Signed(change)} points";
        }
        else
        {
            if (before == 0)
                return new(AlertState.NoData, $"The previous period {Describe(previous.Period)} has the value 0: a change in percent is undefined.");
            change = (value - before) / Math.Abs(before) * 100m;
            measured = $"{Signed(decimal.Round(change, 2, MidpointRounding.AwayFromZero))} %";
        }
        var fires = by > 0 ? change >= by : change <= by;
        var wanted = $"{(by > 0 ? "a rise" : "a fall")} of at least {N(Math.Abs(by))}{(unit == AlertChangeUnit.Points ? " points" : " %")}";
        return new(fires ? AlertState.Firing : AlertState.Ok,
            $"The value moved from {N(before)} ({Describe(previous.Period)}) to {N(value)}: {measured}; the rule fires on {wanted}.");
    }

    private static string Describe(PeriodResponse period) =>
        $"{period.From.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)}..{period.To.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)}";

    private static string N(decimal value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Signed(decimal value) => (value > 0 ? "+" : "") + N(value);
}
