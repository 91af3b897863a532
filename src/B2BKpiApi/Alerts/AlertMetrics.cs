using System.Diagnostics.Metrics;
using B2BKpiApi.Observability;

namespace B2BKpiApi.Alerts;

/// <summary>
/// The alert worker's instruments, on the application's meter. Made through <see cref="IMeterFactory"/> so that
/// each host has its own instruments (tests count one host's evaluations while others run). Tags hold catalog
/// names and outcomes only, never a tenant or a rule id.
/// </summary>
public sealed class AlertMetrics
{
    public const string EvaluationsName = "kpi.alert.evaluations";
    public const string EventsName = "kpi.alert.events";

    private readonly Counter<long> _evaluations;
    private readonly Counter<long> _events;

    public AlertMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(KpiMetrics.MeterName, "1.0.0");
        _evaluations = meter.CreateCounter<long>(EvaluationsName, unit: "{evaluation}",
            description: "Alert rule evaluations (tags kpi, outcome = ok | firing | no-data | failed | superseded).");
        _events = meter.CreateCounter<long>(EventsName, unit: "{event}",
            description: "Alert events written to the outbox on a state transition (tags type, delivered = whether an endpoint subscribed).");
    }

    public void Evaluated(string kpi, string outcome) =>
        _evaluations.Add(1, new KeyValuePair<string, object?>("kpi", kpi), new KeyValuePair<string, object?>("outcome", outcome));

    public void Emitted(string type, bool sent) =>
        _events.Add(1, new KeyValuePair<string, object?>("type", type), new KeyValuePair<string, object?>("delivered", sent));
}
