namespace B2BKpiApi.Metrics;

/// <summary>The ids (wire names) of the KPIs in kpis.md; an id never changes.</summary>
public static class KpiIds
{
    /// <summary>E, clients active on the period's last day.</summary>
    public const string ActiveClients = "active-clients";
    /// <summary>N, clients acquired in the period.</summary>
    public const string NewClients = "new-clients";
    /// <summary>(E − N) / S × 100.</summary>
    public const string CustomerRetentionRate = "customer-retention-rate";
    /// <summary>L / S × 100.</summary>
    public const string CustomerChurnRate = "customer-churn-rate";
    /// <summary>Σ ARR(to) / Σ ARR(start) × 100 over the clients with ARR on start.</summary>
    public const string NetRevenueRetention = "net-revenue-retention";
    /// <summary>Σ ARR(to) over E / E.</summary>
    public const string ArrPerClient = "arr-per-client";
    /// <summary>R, recognized revenue.</summary>
    public const string Revenue = "revenue";
    /// <summary>(R − Rprev) / Rprev × 100.</summary>
    public const string RevenueGrowthRate = "revenue-growth-rate";
    /// <summary>(R − cogs − direct labor) / R × 100.</summary>
    public const string GrossProfitMargin = "gross-profit-margin";
    /// <summary>(R − all costs) / R × 100.</summary>
    public const string OperatingMargin = "operating-margin";
    /// <summary>Direct labor / R × 100.</summary>
    public const string LaborCostPercentage = "labor-cost-percentage";
    /// <summary>Mean value of the contracts signed in the period.</summary>
    public const string AverageContractValue = "average-contract-value";
    /// <summary>(Sales + marketing costs) / N.</summary>
    public const string CustomerAcquisitionCost = "customer-acquisition-cost";
    /// <summary>APV × F × Y.</summary>
    public const string CustomerLifetimeValue = "customer-lifetime-value";
    /// <summary>CLV / CAC.</summary>
    public const string ClvCacRatio = "clv-cac-ratio";
    /// <summary>%promoters − %detractors.</summary>
    public const string NetPromoterScore = "net-promoter-score";
    /// <summary>Share of csat answers scoring 4 or 5, × 100.</summary>
    public const string CustomerSatisfactionScore = "customer-satisfaction-score";
    /// <summary>Mean ces score.</summary>
    public const string CustomerEffortScore = "customer-effort-score";
    /// <summary>Leads qualified in the period.</summary>
    public const string MarketingQualifiedLeads = "marketing-qualified-leads";
    /// <summary>Share of the leads created in the period that became opportunities by its end, × 100.</summary>
    public const string LeadConversionRate = "lead-conversion-rate";
    /// <summary>Won / closed leads in the period × 100.</summary>
    public const string WinRate = "win-rate";
    /// <summary>Mean deal value of the leads won in the period.</summary>
    public const string AverageDealSize = "average-deal-size";
    /// <summary>Mean days from creation to close of the leads won in the period.</summary>
    public const string SalesCycleLength = "sales-cycle-length";
    /// <summary>Q × average deal size × win rate / sales cycle length.</summary>
    public const string PipelineVelocity = "pipeline-velocity";
    /// <summary>Marketing cost / leads created.</summary>
    public const string CostPerLead = "cost-per-lead";
    /// <summary>(Won deal value − sales and marketing costs) / sales and marketing costs × 100.</summary>
    public const string SalesMarketingRoi = "sales-marketing-roi";
    /// <summary>Mean number of committee roles answering surveys per active client.</summary>
    public const string RelationshipBreadth = "relationship-breadth";
    /// <summary>Share of active clients heard from an economic buyer and another committee role, × 100.</summary>
    public const string DmuCoverageRate = "dmu-coverage-rate";
    /// <summary>%promoters − %detractors over economic buyers' nps answers.</summary>
    public const string EconomicBuyerNps = "economic-buyer-nps";
    /// <summary>Share of active clients with a detractor among their economic or technical buyers, × 100.</summary>
    public const string DmuDetractorRate = "dmu-detractor-rate";
    /// <summary>Mean (highest − lowest role NPS) over the active clients with nps answers from two or more roles.</summary>
    public const string DmuNpsSpread = "dmu-nps-spread";
}
