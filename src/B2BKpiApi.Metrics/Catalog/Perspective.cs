namespace B2BKpiApi.Metrics;

/// <summary>The balanced-scorecard perspective a KPI belongs to; <see cref="Wire.Of(Perspective)"/> gives its wire name.</summary>
public enum Perspective
{
    /// <summary>Revenue, margins, costs and the money value of clients (<c>financial</c>).</summary>
    Financial,
    /// <summary>How many clients stay, leave and how they feel about the tenant (<c>customer</c>).</summary>
    Customer,
    /// <summary>The sales and marketing pipeline that turns leads into clients (<c>internal-process</c>).</summary>
    InternalProcess,
    /// <summary>The productivity the organisation builds over time (<c>learning-growth</c>).</summary>
    LearningGrowth,
}
