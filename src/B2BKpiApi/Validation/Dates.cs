using FluentValidation;

namespace B2BKpiApi.Validation;

public static class Dates
{
    /// <summary>The calendar range a record's dates must fall in: wide enough for any business record, and far from DateOnly's ends.</summary>
    public static readonly DateOnly Earliest = new(1900, 1, 1);
    public static readonly DateOnly Latest = new(2999, 12, 31);

    public static IRuleBuilderOptions<T, DateOnly?> InRange<T>(this IRuleBuilder<T, DateOnly?> rule) =>
        rule.Must(d => d is null || (d >= Earliest && d <= Latest))
            .WithMessage($"'{{PropertyName}}' must be between {Earliest:yyyy-MM-dd} and {Latest:yyyy-MM-dd}.");

    public static IRuleBuilderOptions<T, DateOnly?> NotBefore<T>(this IRuleBuilder<T, DateOnly?> rule,
        Func<T, DateOnly?> other, string otherName) =>
        rule.Must((r, d) => d is null || other(r) is not { } o || d >= o)
            .WithMessage($"'{{PropertyName}}' must not be before '{otherName}'.");
}
