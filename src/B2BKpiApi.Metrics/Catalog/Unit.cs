namespace B2BKpiApi.Metrics;

/// <summary>The unit of a KPI's value; <see cref="Wire.Of(Unit)"/> gives its wire name.</summary>
public enum Unit
{
    /// <summary>A whole number of things (<c>count</c>); never rounded because never fractional.</summary>
    Count,
    /// <summary>A percentage on a 0–100 scale, not 0–1 (<c>percent</c>); 2 decimals.</summary>
    Percent,
    /// <summary>An amount in the tenant's base currency (<c>money</c>); 2 decimals.</summary>
    Money,
    /// <summary>A dimensionless quotient of two amounts (<c>ratio</c>); 2 decimals.</summary>
    Ratio,
    /// <summary>A score on the KPI's own scale (<c>score</c>); 2 decimals.</summary>
    Score,
    /// <summary>A number of calendar days (<c>days</c>); 1 decimal.</summary>
    Days,
    /// <summary>An amount per calendar day (<c>money-per-day</c>); 2 decimals.</summary>
    MoneyPerDay,
}
