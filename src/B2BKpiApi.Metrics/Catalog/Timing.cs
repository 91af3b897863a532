namespace B2BKpiApi.Metrics;

/// <summary>Whether a KPI predicts or records performance; <see cref="Wire.Of(Timing)"/> gives its wire name.</summary>
public enum Timing
{
    /// <summary>Moves before recognized revenue does: pipeline, sentiment, projected value (<c>leading</c>).</summary>
    Leading,
    /// <summary>Records results already achieved (<c>lagging</c>).</summary>
    Lagging,
}
