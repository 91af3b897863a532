namespace B2BKpiApi.Metrics;

/// <summary>
/// The one rounding step of a KPI value (kpis.md "Shared rules"): half away from zero, applied to the
/// final value only, to the number of decimals its <see cref="Unit"/> calls for.
/// </summary>
public static class Rounding
{
    /// <summary>0 for counts, 1 for days, 2 for percent, money, ratio, score and money per day.</summary>
    public static int Decimals(Unit unit) => unit switch
    {
        Unit.Count => 0,
        Unit.Days => 1,
        Unit.Percent or Unit.Money or Unit.Ratio or Unit.Score or Unit.MoneyPerDay => 2,
        _ => throw new ArgumentOutOfRangeException(nameof(unit), unit, null),
    };

    /// <summary>Rounds <paramref name="value"/> half away from zero to <see cref="Decimals(Unit)"/> decimals.</summary>
    public static decimal Round(decimal value, Unit unit) =>
        Math.Round(value, Decimals(unit), MidpointRounding.AwayFromZero);
}
