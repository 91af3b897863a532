namespace B2BKpiApi.Metrics;

/// <summary>
/// The pipeline KPIs. They are leading: leads and deals come before the revenue that contracts then spread over
/// their terms.
/// </summary>
internal static class LeadKpis
{
    private static readonly FactFamily[] LeadsOnly = [FactFamily.Leads];

    /// <summary>Leads with <c>qualifiedOn</c> in P (both ends inclusive). A count, never undefined.</summary>
    public static readonly KpiFormula MarketingQualifiedLeads = new(
        new KpiDefinition(
            KpiIds.MarketingQualifiedLeads, 1, "MQLs",
            "Leads with qualifiedOn in the period (both inclusive), whenever created and whatever became of them. " +
            "A count of nothing is 0. Internal-process perspective; leading.",
            "leads with qualifiedOn in P",
            Unit.Count, Direction.HigherIsBetter, Perspective.InternalProcess, Timing.Leading, LeadsOnly, 0, null),
        f => Measurement.Defined(Facts.Leads(f).Qualified, new KpiInput("qualifiedLeads", Facts.Leads(f).Qualified)));

    /// <summary><c>converted / created × 100</c>; denominator the leads with <c>createdOn</c> in P (both ends inclusive).</summary>
    public static readonly KpiFormula LeadConversionRate = new(
        new KpiDefinition(
            KpiIds.LeadConversionRate, 1, "Lead-to-opportunity conversion",
            "Of the leads with createdOn in the period (both inclusive), the share with opportunityOn on or before `to`, " +
            "× 100; a lead that becomes an opportunity after the period does not count for it. Undefined " +
            "(no-leads-created) when no lead was created. The sample is the leads created; below 30 it is small. " +
            "Internal-process perspective; leading.",
            "leads created in P with opportunityOn <= to / leads created in P × 100",
            Unit.Percent, Direction.HigherIsBetter, Perspective.InternalProcess, Timing.Leading, LeadsOnly, 0, 100),
        f =>
        {
            var l = Facts.Leads(f);
            return Measurement.Percentage(l.CreatedConverted, l.Created, KpiReasons.NoLeadsCreated,
                    new("convertedLeads", l.CreatedConverted), new("leadsCreated", l.Created))
                .WithSample(l.Created);
        });

    /// <summary><c>won / (won + lost) × 100</c>; denominator the leads with <c>closedOn</c> in P (both ends inclusive).</summary>
    public static readonly KpiFormula WinRate = new(
        new KpiDefinition(
            KpiIds.WinRate, 1, "Win rate",
            "Of the leads with closedOn in the period (both inclusive), won / (won + lost) × 100, whenever they were " +
            "created. Undefined (no-closed-leads) when none closed. The sample is the closed leads; below 30 it is small. " +
            "Internal-process perspective; leading.",
            "won / (won + lost) × 100, over leads with closedOn in P",
            Unit.Percent, Direction.HigherIsBetter, Perspective.InternalProcess, Timing.Leading, LeadsOnly, 0, 100),
        f =>
        {
            var l = Facts.Leads(f);
            var closed = l.Won + l.Lost;
            return Measurement.Percentage(l.Won, closed, KpiReasons.NoClosedLeads,
                    new("wonLeads", l.Won), new("lostLeads", l.Lost), new("closedLeads", closed))
                .WithSample(closed);
        });

    /// <summary><c>Σ dealValue / won</c>; denominator the leads won with <c>closedOn</c> in P (both ends inclusive).</summary>
    public static readonly KpiFormula AverageDealSize = new(
        new KpiDefinition(
            KpiIds.AverageDealSize, 1, "Average deal size",
            "The mean dealValue of the leads won with closedOn in the period (both inclusive). Undefined (no-won-leads) " +
            "when none was won. The sample is the won leads; below 30 it is small. Internal-process perspective; leading.",
            "Σ dealValue / won leads, over leads won with closedOn in P",
            Unit.Money, Direction.HigherIsBetter, Perspective.InternalProcess, Timing.Leading, LeadsOnly, 0, null),
        f =>
        {
            var l = Facts.Leads(f);
            return Measurement.Quotient(l.WonDealValue, l.Won, KpiReasons.NoWonLeads,
                    new("wonDealValue", l.WonDealValue), new("wonLeads", l.Won))
                .WithSample(l.Won);
        });

    /// <summary><c>Σ (closedOn − createdOn) / won</c>; denominator the leads won with <c>closedOn</c> in P (both ends inclusive).</summary>
    public static readonly KpiFormula SalesCycleLength = new(
        new KpiDefinition(
            KpiIds.SalesCycleLength, 1, "Sales cycle length",
            "The mean of closedOn − createdOn, in days, of the leads won with closedOn in the period (both inclusive): " +
            "a plain date difference, so a lead won on the day it was created counts 0 days. Lost leads are left out. " +
            "Undefined (no-won-leads) when none was won. The sample is the won leads; below 30 it is small. " +
            "Internal-process perspective; leading.",
            "mean(closedOn − createdOn) in days, over leads won with closedOn in P",
            Unit.Days, Direction.LowerIsBetter, Perspective.InternalProcess, Timing.Leading, LeadsOnly, 0, null),
        f =>
        {
            var l = Facts.Leads(f);
            return Measurement.Quotient(l.WonCycleDays, l.Won, KpiReasons.NoWonLeads,
                    new("wonCycleDays", l.WonCycleDays), new("wonLeads", l.Won))
                .WithSample(l.Won);
        });

    /// <summary>
    /// <c>Q × average deal size × (win rate / 100) / sales cycle length</c>, all unrounded; the denominator is the mean
    /// sales cycle of the leads won in P (both ends inclusive).
    /// </summary>
    public static readonly KpiFormula PipelineVelocity = new(
        new KpiDefinition(
            KpiIds.PipelineVelocity, 1, "Pipeline velocity",
            "Q × average deal size × (win rate / 100) / sales cycle length: the won deal value the open pipeline is " +
            "expected to yield per day. Q = leads with qualifiedOn on or before `to` not closed on or before `to`, " +
            "whenever qualified. The components are unrounded. Undefined when a component is, with its reason unchanged " +
            "(win rate's no-closed-leads first, then no-won-leads), and (zero-sales-cycle) when every won lead closed the " +
            "day it was created. The sample is the won leads, the smallest of the components' samples; below 30 it is " +
            "small. Internal-process perspective; leading.",
            "Q × average-deal-size × (win-rate / 100) / sales-cycle-length",
            Unit.MoneyPerDay, Direction.HigherIsBetter, Perspective.InternalProcess, Timing.Leading, LeadsOnly, 0, null),
        f =>
        {
            var l = Facts.Leads(f);
            var winRate = WinRate.Evaluate(f);
            var dealSize = AverageDealSize.Evaluate(f);
            var cycle = SalesCycleLength.Evaluate(f);
            KpiInput[] inputs =
            [
                new("openQualifiedLeads", l.OpenQualified), new("averageDealSize", dealSize.Value),
                new("winRate", winRate.Value), new("salesCycleLength", cycle.Value),
            ];
            var undefinedBy = winRate.Reason ?? dealSize.Reason ?? cycle.Reason
                ?? (l.WonCycleDays == 0 ? KpiReasons.ZeroSalesCycle : null);
            // Q × (Σ dealValue / won) × (won / closed) / (Σ cycle days / won), with one division to stay exact.
            var velocity = undefinedBy is null
                ? Measurement.Defined(l.OpenQualified * l.WonDealValue * l.Won / ((decimal)(l.Won + l.Lost) * l.WonCycleDays), inputs)
                : Measurement.Undefined(undefinedBy, inputs);
            return velocity.WithSample(l.Won);
        });
}
