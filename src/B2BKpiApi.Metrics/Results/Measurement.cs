namespace B2BKpiApi.Metrics;

/// <summary>A formula's unrounded outcome; <see cref="KpiResult"/> rounds it once.</summary>
internal sealed record Measurement(decimal? Value, string? Reason, IReadOnlyList<KpiInput> Inputs, SampleSize? Sample)
{
    public static readonly Measurement NotApplicable = Undefined(KpiReasons.FilterNotApplicable);

    public static Measurement Defined(decimal value, params KpiInput[] inputs) => new(value, null, inputs, null);

    public static Measurement Undefined(string reason, params KpiInput[] inputs) => new(null, reason, inputs, null);

    /// <summary><c>numerator / denominator</c>, or undefined with <paramref name="reason"/> when the denominator is 0.</summary>
    public static Measurement Quotient(decimal numerator, decimal denominator, string reason, params KpiInput[] inputs) =>
        denominator == 0 ? Undefined(reason, inputs) : Defined(numerator / denominator, inputs);

    /// <summary>
    /// <c>numerator / denominator × 100</c>, or undefined with <paramref name="reason"/> when the denominator is 0.
    /// The × 100 is applied before the division so that only one inexact step remains.
    /// </summary>
    public static Measurement Percentage(decimal numerator, decimal denominator, string reason, params KpiInput[] inputs) =>
        denominator == 0 ? Undefined(reason, inputs) : Defined(numerator * 100 / denominator, inputs);

    public Measurement WithSample(int count) => this with { Sample = SampleSize.Of(count) };
}
