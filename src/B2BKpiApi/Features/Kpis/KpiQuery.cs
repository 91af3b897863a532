using System.ComponentModel;
using B2BKpiApi.Metrics;
using FluentValidation;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace B2BKpiApi.Features.Kpis;

public sealed class KpiOptions
{
    /// <summary>The longest period a KPI may be asked for, in days (default: ten years and a bit).</summary>
    public int MaxPeriodDays { get; set; } = 3700;

    /// <summary>The most points a series may have.</summary>
    public int MaxSeriesPoints { get; set; } = 60;

    /// <summary>
    /// The time one KPI read may compute before its database work is cancelled and it answers 503 with
    /// Retry-After, so that no request can hold the server (fractions allowed).
    /// </summary>
    public double ComputeBudgetSeconds { get; set; } = 5;

    /// <summary>Heavy KPI reads (scorecard, series) one tenant may compute at the same time.</summary>
    public int MaxConcurrentHeavyReads { get; set; } = 2;

    /// <summary>Heavy KPI reads of one tenant that may wait for a slot (within the compute budget); beyond that: 429.</summary>
    public int MaxQueuedHeavyReads { get; set; } = 4;
}

/// <summary>The period and optional filters of every KPI read.</summary>
public sealed record KpiQuery(
    [property: FromQuery(Name = "from"), FastEndpoints.BindFrom("from"), Description("First day of the period, inclusive (YYYY-MM-DD). Required.")] IsoDate? FromDate,
    [property: FromQuery(Name = "to"), FastEndpoints.BindFrom("to"), Description("Last day of the period, inclusive (YYYY-MM-DD). Required.")] IsoDate? ToDate,
    [property: FromQuery(Name = "industry"), Description("Only clients of this industry (case-insensitive), and their contracts and surveys. Costs and leads belong to no client: their KPIs are null with reason filter-not-applicable.")] string? Industry,
    [property: FromQuery(Name = "segment"), Description("Only clients of this segment (case-insensitive); applies like industry.")] string? Segment,
    [property: FromQuery(Name = "source"), Description("Only leads from this source (exact). Applies to lead KPIs only; the others are null with reason filter-not-applicable.")] string? Source,
    [property: FromQuery(Name = "compare"), Description(KpiQuery.CompareDescription)] string? Compare = null)
{
    internal const string CompareDescription =
        "What previous and change compare with (the KPI formulas never change: revenue growth's Rprev is always the previous " +
        "period of the same length). Absent: the previous period of the same length, as before this parameter existed, and no " +
        "comparison field. previous-period: a whole calendar month, quarter or year (from its first to its last day) compares " +
        "with the previous calendar month, quarter or year (2025-01-01..2025-03-31 with 2024-10-01..2024-12-31), any other " +
        "period with the previous period of the same length. previous-year: the same dates one year earlier (29 February: " +
        "28 February). none: nothing is compared (previous.value and change are null, previous.reason is comparison-not-requested). " +
        "With compare, each result's comparison field says which rule applied and over which dates. Written exactly (lowercase). " +
        "The API specification names these values; an earlier draft's same-length, calendar and year-over-year are the bases " +
        "reported in comparison.basis, not values of this parameter.";

    /// <summary>The values of <c>compare</c>, as written on the wire.</summary>
    public static readonly IReadOnlyDictionary<string, CompareMode> CompareValues = new Dictionary<string, CompareMode>(StringComparer.Ordinal)
    {
        ["previous-period"] = Metrics.CompareMode.PreviousPeriod,
        ["previous-year"] = Metrics.CompareMode.PreviousYear,
        ["none"] = Metrics.CompareMode.None,
    };

    public CompareMode CompareMode => Compare is null ? Metrics.CompareMode.Default : CompareValues[Compare];

    public DateOnly? From => FromDate?.Value;
    public DateOnly? To => ToDate?.Value;

    public Period Period => new(From!.Value, To!.Value);

    public KpiFilter Filter => new(Blank(Industry), Blank(Segment), Blank(Source));

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    public sealed class Validator : FastEndpoints.Validator<KpiQuery>
    {
        public Validator(IOptions<KpiOptions> options)
        {
            var maxDays = options.Value.MaxPeriodDays;
            RuleFor(q => q.From).NotNull().WithMessage("'from' is required (YYYY-MM-DD).");
            RuleFor(q => q.To).NotNull().WithMessage("'to' is required (YYYY-MM-DD).");
            // The previous period must stay inside the dates a record can hold.
            RuleFor(q => q.From).Must(d => d is null || d > Dates.Earliest.AddDays(maxDays))
                .WithMessage($"'from' must be after {Dates.Earliest.AddDays(maxDays):yyyy-MM-dd}.");
            RuleFor(q => q.To).Must(d => d is null || d <= Dates.Latest)
                .WithMessage($"'to' must not be after {Dates.Latest:yyyy-MM-dd}.");
            When(q => q.From is not null && q.To is not null, () =>
            {
                RuleFor(q => q.To).GreaterThanOrEqualTo(q => q.From).WithMessage("'from' must not be after 'to'.");
                RuleFor(q => q.To)
                    .Must((q, to) => to!.Value.DayNumber - q.From!.Value.DayNumber + 1 <= maxDays)
                    .When(q => q.To >= q.From)
                    .WithMessage($"The period may be at most {maxDays} days long.");
            });
            RuleFor(q => q.Source).Null().When(q => !string.IsNullOrWhiteSpace(q.Industry) || !string.IsNullOrWhiteSpace(q.Segment))
                .WithMessage("'source' filters leads and 'industry'/'segment' filter clients: use one kind of filter at a time.");
            // Case-exact like every enum of the API (body enum values and interval): PREVIOUS-YEAR is refused, not guessed.
            RuleFor(q => q.Compare).Must(c => c is null || CompareValues.ContainsKey(c))
                .WithMessage("'compare' must be previous-period, previous-year or none, written exactly so (or left out for the previous period of the same length).");
            RuleFor(q => q.Industry).MaximumLength(200);
            RuleFor(q => q.Segment).MaximumLength(200);
            RuleFor(q => q.Source).MaximumLength(200);
        }
    }
}
