using B2BKpiApi.Alerts;
using B2BKpiApi.Data;
using B2BKpiApi.Metrics;
using FastEndpoints;
using FluentValidation;
using Microsoft.AspNetCore.Http.HttpResults;

namespace B2BKpiApi.Features.Alerts;

/// <summary>A rule's condition as sent: <c>type</c> decides which of the other fields it takes.</summary>
/// <param name="Type">above, below, outside-benchmark or change.</param>
/// <param name="Threshold">above/below: the value compared with, in the KPI's unit. Not allowed with the other types.</param>
/// <param name="By">change: the least change that fires, non-zero; positive for a rise, negative for a fall. Not allowed with the other types.</param>
/// <param name="Unit">change: points (the KPI's unit, percentage points for percent KPIs) or percent (relative to the previous value).</param>
public sealed record AlertConditionRequest(AlertConditionType? Type, decimal? Threshold, decimal? By, AlertChangeUnit? Unit);

/// <summary>An alert rule as created or replaced.</summary>
/// <param name="Name">What the tenant calls it (1–200 characters).</param>
/// <param name="KpiId">A KPI id of the catalog (GET /v1/kpis), or <c>at-risk-clients</c>: the number of active clients whose churn risk is at least <c>riskThreshold</c>.</param>
/// <param name="Industry">Only clients of this industry; for KPIs that read clients, contracts and surveys only.</param>
/// <param name="Segment">Only clients of this segment; like industry.</param>
/// <param name="Source">Only leads from this source; for lead KPIs only, and not with industry or segment.</param>
/// <param name="Window">month, quarter or year.</param>
/// <param name="ToDate">false: the latest complete calendar period; true: the running period up to today. Left out: false, except for at-risk-clients, where it is true (the count as of today). Not null.</param>
/// <param name="Condition">When the rule fires.</param>
/// <param name="Enabled">false keeps the rule without evaluating it; true when left out. Not null.</param>
/// <param name="RiskThreshold">Required for kpiId at-risk-clients, and allowed only there: the churn-risk probability (greater than 0, at most 1, up to 4 decimals) from which an active client counts as at risk.</param>
public sealed record AlertRuleRequest(
    string? Name, string? KpiId, string? Industry, string? Segment, string? Source, AlertWindow? Window,
    [property: Serialization.NotNullable] bool? ToDate, AlertConditionRequest? Condition, [property: Serialization.NotNullable] bool? Enabled,
    decimal? RiskThreshold = null)
{
    /// <summary>The largest threshold or change a rule takes (the column keeps 20 integer digits and 8 decimals).</summary>
    private const decimal MaxMagnitude = 1_000_000_000_000_000m;

    public void ApplyTo(AlertRule rule)
    {
        var condition = Condition!;
        rule.Name = Name!.Trim();
        rule.KpiId = KpiId!;
        rule.Industry = Blank(Industry);
        rule.Segment = Blank(Segment);
        rule.Source = Blank(Source);
        rule.Window = AlertWire.Of(Window!.Value);
        // The at-risk count is meant as of today unless the rule says otherwise.
        rule.ToDate = ToDate ?? AtRiskClientsTarget.Is(KpiId);
        rule.Condition = AlertWire.Of(condition.Type!.Value);
        rule.Threshold = condition.Type is AlertConditionType.Change ? condition.By : condition.Threshold;
        rule.ChangeUnit = condition.Unit is { } unit ? AlertWire.Of(unit) : null;
        rule.RiskThreshold = RiskThreshold;
        rule.Enabled = Enabled ?? true;
        // Evaluated again at once, against the rule as it now is; its state carries over so that events still pair up.
        rule.EvaluatedDataVersion = null;
        // An edit is a fresh start for a rule whose evaluation kept failing (a KPI past its budget, say): no back-off.
        rule.EvaluationFailures = 0;
        rule.RetryAt = null;
    }

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    public sealed class Validator : Validator<AlertRuleRequest>
    {
        public Validator()
        {
            RuleFor(r => r.Name).NotEmpty().MaximumLength(200)
                .Must(n => n is null || n.Trim().Length > 0).WithMessage("'name' must not be blank.");
            RuleFor(r => r.KpiId).NotEmpty()
                .Must(id => id is null || KpiCatalog.TryGet(id, out _) || AtRiskClientsTarget.Is(id))
                .WithMessage(r => $"There is no KPI '{r.KpiId}'. GET /v1/kpis lists every KPI id; '{AtRiskClientsTarget.Id}' watches the number of clients at risk of churning.");
            When(r => AtRiskClientsTarget.Is(r.KpiId), () =>
            {
                RuleFor(r => r.RiskThreshold).NotNull()
                    .WithMessage($"'riskThreshold' is required for '{AtRiskClientsTarget.Id}': the churn-risk probability (e.g. 0.5) from which a client counts as at risk.");
                RuleFor(r => r.RiskThreshold).Must(t => t is not { } v || (v > 0m && v <= 1m && decimal.Round(v, 4) == v))
                    .WithMessage("'riskThreshold' must be greater than 0 and at most 1, with at most 4 decimal places (probabilities have 4).");
                RuleFor(r => r.Industry).Must(string.IsNullOrWhiteSpace)
                    .WithMessage($"'{AtRiskClientsTarget.Id}' counts all of the tenant's active clients: it takes no 'industry' filter.");
                RuleFor(r => r.Segment).Must(string.IsNullOrWhiteSpace)
                    .WithMessage($"'{AtRiskClientsTarget.Id}' counts all of the tenant's active clients: it takes no 'segment' filter.");
                RuleFor(r => r.Source).Must(string.IsNullOrWhiteSpace)
                    .WithMessage($"'{AtRiskClientsTarget.Id}' counts clients, not leads: it takes no 'source' filter.");
            });
            RuleFor(r => r.RiskThreshold).Null().When(r => !AtRiskClientsTarget.Is(r.KpiId))
                .WithMessage($"'riskThreshold' belongs to kpiId '{AtRiskClientsTarget.Id}' only.");
            RuleFor(r => r.Industry).MaximumLength(200);
            RuleFor(r => r.Segment).MaximumLength(200);
            RuleFor(r => r.Source).MaximumLength(200);
            RuleFor(r => r.Source).Must(s => string.IsNullOrWhiteSpace(s)).When(r => !string.IsNullOrWhiteSpace(r.Industry) || !string.IsNullOrWhiteSpace(r.Segment))
                .WithMessage("'source' filters leads and 'industry'/'segment' filter clients: use one kind of filter at a time.");
            When(r => Kpi(r) is not null, () =>
            {
                RuleFor(r => r.Industry).Must((r, v) => string.IsNullOrWhiteSpace(v) || AlertKpis.AcceptsClientFilters(Kpi(r)!))
                    .WithMessage(r => $"The KPI '{r.KpiId}' reads costs or leads, which belong to no client: it takes no 'industry' filter.");
                RuleFor(r => r.Segment).Must((r, v) => string.IsNullOrWhiteSpace(v) || AlertKpis.AcceptsClientFilters(Kpi(r)!))
                    .WithMessage(r => $"The KPI '{r.KpiId}' reads costs or leads, which belong to no client: it takes no 'segment' filter.");
                RuleFor(r => r.Source).Must((r, v) => string.IsNullOrWhiteSpace(v) || AlertKpis.AcceptsSourceFilter(Kpi(r)!))
                    .WithMessage(r => $"The KPI '{r.KpiId}' does not read leads only: it takes no 'source' filter.");
            });
            RuleFor(r => r.Window).NotNull().WithMessage("'window' is required: month, quarter or year.");
            RuleFor(r => r.Condition).NotNull().WithMessage("'condition' is required, e.g. { \"type\": \"above\", \"threshold\": 10 }.");
            When(r => r.Condition is not null, () =>
            {
                RuleFor(r => r.Condition!.Type).NotNull().OverridePropertyName("condition.type")
                    .WithMessage("'condition.type' is required: above, below, outside-benchmark or change.");

                When(r => r.Condition!.Type is AlertConditionType.Above or AlertConditionType.Below, () =>
                {
                    RuleFor(r => r.Condition!.Threshold).NotNull().OverridePropertyName("condition.threshold")
                        .WithMessage("'condition.threshold' is required for above and below.");
                    RuleFor(r => r.Condition!.Threshold).Must(Fits).OverridePropertyName("condition.threshold")
                        .WithMessage($"'condition.threshold' must lie within ±{MaxMagnitude:0} with at most 8 decimal places.");
                });
                RuleFor(r => r.Condition!.Threshold).Null().OverridePropertyName("condition.threshold")
                    .When(r => r.Condition!.Type is AlertConditionType.OutsideBenchmark or AlertConditionType.Change)
                    .WithMessage("'condition.threshold' belongs to above and below only.");

                When(r => r.Condition!.Type is AlertConditionType.Change, () =>
                {
                    RuleFor(r => r.Condition!.By).NotNull().OverridePropertyName("condition.by")
                        .WithMessage("'condition.by' is required for change: positive for a rise, negative for a fall.");
                    RuleFor(r => r.Condition!.By).Must(b => b != 0).OverridePropertyName("condition.by")
                        .WithMessage("'condition.by' must not be 0: positive for a rise, negative for a fall.");
                    RuleFor(r => r.Condition!.By).Must(Fits).OverridePropertyName("condition.by")
                        .WithMessage($"'condition.by' must lie within ±{MaxMagnitude:0} with at most 8 decimal places.");
                    RuleFor(r => r.Condition!.Unit).NotNull().OverridePropertyName("condition.unit")
                        .WithMessage("'condition.unit' is required for change: points or percent.");
                });
                RuleFor(r => r.Condition!.By).Null().OverridePropertyName("condition.by")
                    .When(r => r.Condition!.Type is not AlertConditionType.Change)
                    .WithMessage("'condition.by' belongs to change only.");
                RuleFor(r => r.Condition!.Unit).Null().OverridePropertyName("condition.unit")
                    .When(r => r.Condition!.Type is not AlertConditionType.Change)
                    .WithMessage("'condition.unit' belongs to change only.");

                RuleFor(r => r.Condition!.Type)
                    .Must((r, _) => !AtRiskClientsTarget.Is(r.KpiId))
                    .When(r => r.Condition!.Type is AlertConditionType.OutsideBenchmark)
                    .OverridePropertyName("condition.type")
                    .WithMessage($"'{AtRiskClientsTarget.Id}' has no benchmark: use above, below or change.");
                RuleFor(r => r.Condition!.Type)
                    .Must((r, _) => Kpi(r) is not { } kpi || AlertKpis.HasBenchmark(kpi, Resolve<TenantContext>().Industry, Resolve<TenantContext>().Currency))
                    .When(r => r.Condition!.Type is AlertConditionType.OutsideBenchmark)
                    .OverridePropertyName("condition.type")
                    .WithMessage(r => $"The KPI '{r.KpiId}' has no benchmark band for this tenant's industry and currency " +
                                      "(GET /v1/benchmarks): outside-benchmark cannot be judged.");
            });
        }

        private static KpiDefinition? Kpi(AlertRuleRequest r) =>
            r.KpiId is not null && KpiCatalog.TryGet(r.KpiId, out var kpi) ? kpi : null;

        private static bool Fits(decimal? value) =>
            value is not { } v || (Math.Abs(v) <= MaxMagnitude && decimal.Round(v, 8) == v);
    }
}

/// <summary>An alert rule with its state and last evaluation.</summary>
/// <param name="Id">The rule's id.</param>
/// <param name="Name">What the tenant calls it.</param>
/// <param name="KpiId">The KPI it watches.</param>
/// <param name="Industry">Client industry filter, or null.</param>
/// <param name="Segment">Client segment filter, or null.</param>
/// <param name="Source">Lead source filter, or null.</param>
/// <param name="Window">month, quarter or year.</param>
/// <param name="ToDate">false: the latest complete calendar period; true: the running period up to today.</param>
/// <param name="Condition">When it fires.</param>
/// <param name="RiskThreshold">For kpiId at-risk-clients: the churn-risk probability from which an active client counts; null for a catalog KPI.</param>
/// <param name="Enabled">Whether it is evaluated.</param>
/// <param name="State">pending (not evaluated yet), ok, firing or no-data.</param>
/// <param name="StateChangedAt">When the state last changed; null while pending.</param>
/// <param name="LastEvaluatedAt">When it was last evaluated; null while pending.</param>
/// <param name="LastEvaluation">The period, values and verdict of the last evaluation; null while pending.</param>
/// <param name="CreatedAt">When it was created.</param>
/// <param name="UpdatedAt">When its owner last changed it (evaluations do not count).</param>
public sealed record AlertRuleResponse(
    Guid Id, string Name, string KpiId, string? Industry, string? Segment, string? Source, AlertWindow Window, bool ToDate,
    AlertCondition Condition, decimal? RiskThreshold, bool Enabled, AlertState State, DateTime? StateChangedAt, DateTime? LastEvaluatedAt,
    AlertEvaluation? LastEvaluation, DateTime CreatedAt, DateTime UpdatedAt)
{
    public static AlertRuleResponse From(AlertRule r) => new(
        r.Id, r.Name, r.KpiId, r.Industry, r.Segment, r.Source, AlertWire.Parse<AlertWindow>(r.Window), r.ToDate, KpiAlertRule.ConditionOf(r),
        r.RiskThreshold, r.Enabled, AlertWire.Parse<AlertState>(r.State), r.StateChangedAt, r.LastEvaluatedAt, AlertJson.ReadEvaluation(r.LastEvaluation),
        r.CreatedAt, r.UpdatedAt);
}

/// <summary>
/// Strong ETags of alert rules and the If-Match precondition of PUT and DELETE, as for records (see
/// <see cref="Resources.EntityTags"/>): the rule's id and its Version, which only its owner's edits raise.
/// </summary>
public static class AlertTags
{
    public static string For(AlertRule rule) => Resources.EntityTags.For(rule.Id, rule.Version);

    public static void Stamp(HttpResponse response, AlertRule rule) => response.Headers.ETag = For(rule);

    /// <summary>Null when the request may go on; otherwise the 412 to answer. Compares strongly, like EntityTags.</summary>
    public static ProblemHttpResult? Precondition(HttpRequest request, AlertRule current) =>
        Resources.EntityTags.Precondition(request, For(current), "alert rule");
}
