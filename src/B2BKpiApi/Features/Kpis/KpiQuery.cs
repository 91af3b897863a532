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
    [property: FromQuery(Name = "source"), Description("Only leads from this source (exact). Applies to lead KPIs only; the others are null with reason filter-not-applicable.")] string? Source)
{
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
            RuleFor(q => q.Industry).MaximumLength(200);
            RuleFor(q => q.Segment).MaximumLength(200);
            RuleFor(q => q.Source).MaximumLength(200);
        }
    }
}
