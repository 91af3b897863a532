namespace B2BKpiApi.Metrics;

/// <summary>Where a value lies against a benchmark band; <see cref="Wire.Of(BandPosition)"/> gives its wire name.</summary>
public enum BandPosition
{
    /// <summary>Outside the band, on the side of its lower bound (<c>below</c>).</summary>
    Below,
    /// <summary>Inside the band (<c>within</c>).</summary>
    Within,
    /// <summary>Outside the band, on the side of its upper bound (<c>above</c>).</summary>
    Above,
}
