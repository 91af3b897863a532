namespace B2BKpiApi.Metrics;

/// <summary>Which way a KPI improves; <see cref="Wire.Of(Direction)"/> gives its wire name.</summary>
public enum Direction
{
    /// <summary>A higher value is better (<c>higher</c>).</summary>
    HigherIsBetter,
    /// <summary>A lower value is better (<c>lower</c>).</summary>
    LowerIsBetter,
}
