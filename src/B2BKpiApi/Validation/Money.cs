using FluentValidation;

namespace B2BKpiApi.Validation;

/// <summary>Money travels as a decimal and is stored as integer minor units (cents), exact in SQL sums.</summary>
public static class Money
{
    /// <summary>The largest amount one record may hold: a trillion, far beyond any B2B contract, and safe in a 64-bit sum.</summary>
    public const decimal Max = 1_000_000_000_000m;

    public static long ToMinor(decimal amount) => (long)(amount * 100m);

    public static decimal FromMinor(long minor) => minor / 100m;

    public static decimal? FromMinor(long? minor) => minor is null ? null : minor.Value / 100m;

    /// <summary>Positive, at most two decimals, at most <see cref="Max"/>.</summary>
    public static IRuleBuilderOptions<T, decimal?> PositiveAmount<T>(this IRuleBuilder<T, decimal?> rule) =>
        rule.GreaterThan(0m)
            .LessThanOrEqualTo(Max)
            .Must(v => v is null || decimal.Round(v.Value, 2) == v.Value).WithMessage("'{PropertyName}' must have at most two decimal places.");

    /// <summary>An ISO 4217 code equal to the tenant's base currency (no conversion in v1).</summary>
    /// <remarks>Validators are singletons: the tenant is the calling request's, read when the rule runs.</remarks>
    public static IRuleBuilderOptions<T, string?> TenantCurrency<T>(this IRuleBuilder<T, string?> rule, Func<TenantContext> tenant) =>
        rule.Matches("^[A-Z]{3}$").WithMessage("'{PropertyName}' must be an ISO 4217 code in capitals, like USD.")
            .Must(c => c is null || c == tenant().Currency)
            .WithMessage(_ => $"'currency' must be the tenant's base currency, {tenant().Currency}: v1 does not convert currencies.");
}
