namespace B2BKpiApi.Metrics;

/// <summary>The kebab-case wire names of the library's enums, as api.md spells them.</summary>
public static class Wire
{
    /// <summary><c>count</c>, <c>percent</c>, <c>money</c>, <c>ratio</c>, <c>score</c>, <c>days</c> or <c>money-per-day</c>.</summary>
    public static string Of(Unit unit) => unit switch
    {
        Unit.Count => "count",
        Unit.Percent => "percent",
        Unit.Money => "money",
        Unit.Ratio => "ratio",
        Unit.Score => "score",
        Unit.Days => "days",
        Unit.MoneyPerDay => "money-per-day",
        _ => throw new ArgumentOutOfRangeException(nameof(unit), unit, null),
    };

    /// <summary><c>higher</c> or <c>lower</c>.</summary>
    public static string Of(Direction direction) => direction switch
    {
        Direction.HigherIsBetter => "higher",
        Direction.LowerIsBetter => "lower",
        _ => throw new ArgumentOutOfRangeException(nameof(direction), direction, null),
    };

    /// <summary><c>financial</c>, <c>customer</c>, <c>internal-process</c> or <c>learning-growth</c>.</summary>
    public static string Of(Perspective perspective) => perspective switch
    {
        Perspective.Financial => "financial",
        Perspective.Customer => "customer",
        Perspective.InternalProcess => "internal-process",
        Perspective.LearningGrowth => "learning-growth",
        _ => throw new ArgumentOutOfRangeException(nameof(perspective), perspective, null),
    };

    /// <summary><c>leading</c> or <c>lagging</c>.</summary>
    public static string Of(Timing timing) => timing switch
    {
        Timing.Leading => "leading",
        Timing.Lagging => "lagging",
        _ => throw new ArgumentOutOfRangeException(nameof(timing), timing, null),
    };

    /// <summary><c>clients</c>, <c>revenue</c>, <c>costs</c>, <c>surveys</c>, <c>leads</c> or <c>relationships</c>.</summary>
    public static string Of(FactFamily family) => family switch
    {
        FactFamily.Clients => "clients",
        FactFamily.Revenue => "revenue",
        FactFamily.Costs => "costs",
        FactFamily.Surveys => "surveys",
        FactFamily.Leads => "leads",
        FactFamily.Relationships => "relationships",
        _ => throw new ArgumentOutOfRangeException(nameof(family), family, null),
    };

    /// <summary><c>below</c>, <c>within</c> or <c>above</c>.</summary>
    public static string Of(BandPosition position) => position switch
    {
        BandPosition.Below => "below",
        BandPosition.Within => "within",
        BandPosition.Above => "above",
        _ => throw new ArgumentOutOfRangeException(nameof(position), position, null),
    };
}
