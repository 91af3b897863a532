namespace B2BKpiApi.Metrics;

/// <summary>The KPIs that set costs against revenue, clients or leads.</summary>
internal static class CostKpis
{
    private static readonly FactFamily[] RevenueAndCosts = [FactFamily.Revenue, FactFamily.Costs];

    /// <summary><c>(R − C[cogs] − C[direct-labor]) / R × 100</c>; denominator R, revenue recognized in P.</summary>
    public static readonly KpiFormula GrossProfitMargin = new(
        new KpiDefinition(
            KpiIds.GrossProfitMargin, 1, "Gross profit margin",
            "(R − cogs − direct labor) / R × 100, with costs incurred in the period (both inclusive). Negative when those " +
            "costs exceed revenue. Undefined (no-revenue) when R = 0. Financial perspective; lagging.",
            "(R − C[cogs] − C[direct-labor]) / R × 100",
            Unit.Percent, Direction.HigherIsBetter, Perspective.Financial, Timing.Lagging, RevenueAndCosts, null, 100),
        f =>
        {
            var r = Facts.Revenue(f);
            var c = Facts.Costs(f);
            var grossProfit = r.Revenue - c.Cogs - c.DirectLabor;
            return Measurement.Percentage(grossProfit, r.Revenue, KpiReasons.NoRevenue,
                new("revenue", r.Revenue), new("cogs", c.Cogs), new("directLabor", c.DirectLabor),
                new("grossProfit", grossProfit));
        });

    /// <summary><c>(R − Σ all cost categories) / R × 100</c>; denominator R, revenue recognized in P.</summary>
    public static readonly KpiFormula OperatingMargin = new(
        new KpiDefinition(
            KpiIds.OperatingMargin, 1, "Operating margin",
            "(R − all costs) / R × 100, all five categories (cogs, direct labor, sales, marketing, overhead) incurred in " +
            "the period (both inclusive). Negative when costs exceed revenue. Undefined (no-revenue) when R = 0. " +
            "Financial perspective; lagging.",
            "(R − Σ C) / R × 100",
            Unit.Percent, Direction.HigherIsBetter, Perspective.Financial, Timing.Lagging, RevenueAndCosts, null, 100),
        f =>
        {
            var r = Facts.Revenue(f);
            var c = Facts.Costs(f);
            var operatingProfit = r.Revenue - c.Total;
            return Measurement.Percentage(operatingProfit, r.Revenue, KpiReasons.NoRevenue,
                new("revenue", r.Revenue), new("cogs", c.Cogs), new("directLabor", c.DirectLabor),
                new("salesCost", c.Sales), new("marketingCost", c.Marketing), new("overheadCost", c.Overhead),
                new("totalCost", c.Total), new("operatingProfit", operatingProfit));
        });

    /// <summary><c>C[direct-labor] / R × 100</c>; denominator R, revenue recognized in P.</summary>
    public static readonly KpiFormula LaborCostPercentage = new(
        new KpiDefinition(
            KpiIds.LaborCostPercentage, 1, "Labor cost percentage",
            "Direct labor cost incurred in the period (both inclusive) / R × 100; above 100 when labor costs more than the " +
            "revenue. Undefined (no-revenue) when R = 0. Financial perspective; lagging.",
            "C[direct-labor] / R × 100",
            Unit.Percent, Direction.LowerIsBetter, Perspective.Financial, Timing.Lagging, RevenueAndCosts, 0, null),
        f =>
        {
            var r = Facts.Revenue(f);
            var c = Facts.Costs(f);
            return Measurement.Percentage(c.DirectLabor, r.Revenue, KpiReasons.NoRevenue,
                new("directLabor", c.DirectLabor), new("revenue", r.Revenue));
        });

    /// <summary><c>(C[sales] + C[marketing]) / N</c>; denominator N, clients acquired in P (both ends inclusive).</summary>
    public static readonly KpiFormula CustomerAcquisitionCost = new(
        new KpiDefinition(
            KpiIds.CustomerAcquisitionCost, 1, "Customer acquisition cost",
            "(Sales + marketing costs incurred in the period) / N: all of the period's sales and marketing spend is " +
            "attributed to the clients acquired in the same period (no lag). Undefined (no-new-clients) when N = 0. " +
            "Financial perspective; lagging.",
            "(C[sales] + C[marketing]) / N",
            Unit.Money, Direction.LowerIsBetter, Perspective.Financial, Timing.Lagging,
            [FactFamily.Costs, FactFamily.Clients], 0, null),
        f =>
        {
            var c = Facts.Costs(f);
            var n = Facts.Clients(f).New;
            var spend = c.Sales + c.Marketing;
            return Measurement.Quotient(spend, n, KpiReasons.NoNewClients,
                new("salesCost", c.Sales), new("marketingCost", c.Marketing),
                new("salesAndMarketingCost", spend), new("newClients", n));
        });

    /// <summary><c>C[marketing] / leads created in P</c>; denominator the leads with <c>createdOn</c> in P (both ends inclusive).</summary>
    public static readonly KpiFormula CostPerLead = new(
        new KpiDefinition(
            KpiIds.CostPerLead, 1, "Cost per lead",
            "Marketing cost incurred in the period / leads with createdOn in the period (both inclusive); sales cost is not " +
            "included (seed 002). An allocation, not a sample average, so no sample size is given. " +
            "Undefined (no-leads-created) when no lead was created. Internal-process perspective (efficiency of lead " +
            "generation); lagging.",
            "C[marketing] / leads created in P",
            Unit.Money, Direction.LowerIsBetter, Perspective.InternalProcess, Timing.Lagging,
            [FactFamily.Costs, FactFamily.Leads], 0, null),
        f =>
        {
            var c = Facts.Costs(f);
            var created = Facts.Leads(f).Created;
            return Measurement.Quotient(c.Marketing, created, KpiReasons.NoLeadsCreated,
                new("marketingCost", c.Marketing), new("leadsCreated", created));
        });

    /// <summary>
    /// <c>(Σ won dealValue − C[sales] − C[marketing]) / (C[sales] + C[marketing]) × 100</c>; denominator the sales and
    /// marketing costs incurred in P (both ends inclusive).
    /// </summary>
    public static readonly KpiFormula SalesMarketingRoi = new(
        new KpiDefinition(
            KpiIds.SalesMarketingRoi, 1, "Return on sales & marketing spend",
            "(Σ dealValue of the leads won with closedOn in the period − sales and marketing costs of the period) / those " +
            "costs × 100. The return is won deal value, not recognized revenue, matched with the spend of the same period. " +
            "−100 when nothing was won. Undefined (no-sales-marketing-cost) when the costs are 0. " +
            "Financial perspective; lagging.",
            "(Σ won dealValue − C[sales] − C[marketing]) / (C[sales] + C[marketing]) × 100",
            Unit.Percent, Direction.HigherIsBetter, Perspective.Financial, Timing.Lagging,
            [FactFamily.Leads, FactFamily.Costs], -100, null),
        f =>
        {
            var won = Facts.Leads(f).WonDealValue;
            var c = Facts.Costs(f);
            var spend = c.Sales + c.Marketing;
            return Measurement.Percentage(won - spend, spend, KpiReasons.NoSalesMarketingCost,
                new("wonDealValue", won), new("salesCost", c.Sales), new("marketingCost", c.Marketing),
                new("salesAndMarketingCost", spend));
        });
}
