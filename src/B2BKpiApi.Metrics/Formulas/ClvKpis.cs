namespace B2BKpiApi.Metrics;

/// <summary>Customer lifetime value (seed 004, corrected) and its ratio to the acquisition cost.</summary>
internal static class ClvKpis
{
    private const int DaysPerYear = 365;

    /// <summary>
    /// <c>APV × F × Y</c>. APV's denominator: contracts with <c>signedOn</c> in P (both ends inclusive); F's: the distinct
    /// clients that signed them and days(P), inclusive; Y's: the clients with <c>churnedOn &lt;= to</c>, and 365.
    /// </summary>
    public static readonly KpiFormula CustomerLifetimeValue = new(
        new KpiDefinition(
            KpiIds.CustomerLifetimeValue, 1, "Customer lifetime value",
            "APV × F × Y (seed 004, corrected: the seed divides by the lifespan; a value per year must be multiplied by it). " +
            "APV = Σ value / count of the contracts with signedOn in the period; F = (that count / distinct clients that " +
            "signed them) × 365 / days(period), purchases per client per year annualised from the period; Y = mean of " +
            "(churnedOn − acquiredOn) / 365 over every client churned on or before `to`, at any time, not only in the period " +
            "(years of 365 days). Computed unrounded and rounded once. Undefined (no-contracts-signed) when no contract was " +
            "signed, otherwise (no-churned-clients) when no client has churned: a lifespan is never guessed from clients " +
            "still active. Financial perspective; leading, being a projection of future value.",
            "APV × F × Y; APV = Σ value / n; F = (n / distinct signing clients) × 365 / days(P); Y = mean((churnedOn − acquiredOn) / 365)",
            Unit.Money, Direction.HigherIsBetter, Perspective.Financial, Timing.Leading,
            [FactFamily.Revenue, FactFamily.Clients], 0, null),
        Clv);

    /// <summary><c>CLV / CAC</c> of the same period, both unrounded; denominator the customer acquisition cost.</summary>
    public static readonly KpiFormula ClvCacRatio = new(
        new KpiDefinition(
            KpiIds.ClvCacRatio, 1, "CLV to CAC ratio",
            "Customer lifetime value / customer acquisition cost of the same period, both unrounded. Undefined when either " +
            "is, with that component's own reason unchanged (CLV's first: no-contracts-signed, no-churned-clients, then " +
            "CAC's: no-new-clients); the inputs show which component is missing. Undefined (no-sales-marketing-cost) when " +
            "CAC is 0. Financial perspective; leading, like CLV.",
            "customer-lifetime-value / customer-acquisition-cost",
            Unit.Ratio, Direction.HigherIsBetter, Perspective.Financial, Timing.Leading,
            [FactFamily.Revenue, FactFamily.Clients, FactFamily.Costs], 0, null),
        f =>
        {
            var clv = Clv(f);
            var cac = CostKpis.CustomerAcquisitionCost.Evaluate(f);
            KpiInput[] inputs = [new("customerLifetimeValue", clv.Value), new("customerAcquisitionCost", cac.Value)];
            if (clv.Value is not { } lifetimeValue)
                return Measurement.Undefined(clv.Reason!, inputs);
            if (cac.Value is not { } acquisitionCost)
                return Measurement.Undefined(cac.Reason!, inputs);
            return Measurement.Quotient(lifetimeValue, acquisitionCost, KpiReasons.NoSalesMarketingCost, inputs);
        });

    private static Measurement Clv(PeriodFacts f)
    {
        var r = Facts.Revenue(f);
        var c = Facts.Clients(f);
        var days = f.Period.Days;
        decimal? apv = r.ContractsSigned == 0 ? null : r.ContractsSignedValue / r.ContractsSigned;
        decimal? frequency = r.ContractsSigned == 0 ? null : (decimal)r.ContractsSigned * DaysPerYear / ((decimal)r.ClientsSigning * days);
        decimal? lifespanYears = c.Churned == 0 ? null : (decimal)c.ChurnedLifespanDays / ((decimal)c.Churned * DaysPerYear);
        KpiInput[] inputs =
        [
            new("contractsSignedValue", r.ContractsSignedValue), new("contractsSigned", r.ContractsSigned),
            new("clientsSigning", r.ClientsSigning), new("periodDays", days),
            new("averagePurchaseValue", apv), new("purchaseFrequency", frequency),
            new("churnedClients", c.Churned), new("churnedLifespanDays", c.ChurnedLifespanDays),
            new("averageLifespanYears", lifespanYears),
        ];
        if (apv is null)
            return Measurement.Undefined(KpiReasons.NoContractsSigned, inputs);
        if (lifespanYears is null)
            return Measurement.Undefined(KpiReasons.NoChurnedClients, inputs);
        // APV × F × Y = Σvalue/n × n×365/(clients×days) × lifespanDays/(churned×365): one division keeps it exact.
        var value = r.ContractsSignedValue * c.ChurnedLifespanDays / ((decimal)r.ClientsSigning * days * c.Churned);
        return Measurement.Defined(value, inputs);
    }
}
