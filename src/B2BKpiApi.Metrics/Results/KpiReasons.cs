namespace B2BKpiApi.Metrics;

/// <summary>
/// The machine-readable reasons a KPI value is undefined (<see cref="KpiResult.Reason"/>). A composite KPI
/// whose component is undefined carries that component's reason unchanged, so this is the closed set.
/// </summary>
public static class KpiReasons
{
    /// <summary>A fact family the KPI reads is unavailable under the request's filter.</summary>
    public const string FilterNotApplicable = "filter-not-applicable";
    /// <summary>S = 0: no client was active on the day before the period.</summary>
    public const string NoClientsAtPeriodStart = "no-clients-at-period-start";
    /// <summary>E = 0: no client is active on the last day of the period.</summary>
    public const string NoActiveClients = "no-active-clients";
    /// <summary>No client held ARR on the day before the period.</summary>
    public const string NoArrAtPeriodStart = "no-arr-at-period-start";
    /// <summary>R = 0: no revenue was recognized in the period.</summary>
    public const string NoRevenue = "no-revenue";
    /// <summary>Rprev = 0: no revenue was recognized in the previous period.</summary>
    public const string NoRevenueInPreviousPeriod = "no-revenue-in-previous-period";
    /// <summary>No contract has <c>signedOn</c> in the period.</summary>
    public const string NoContractsSigned = "no-contracts-signed";
    /// <summary>N = 0: no client was acquired in the period.</summary>
    public const string NoNewClients = "no-new-clients";
    /// <summary>No client has <c>churnedOn</c> on or before the period's last day, so there is no lifespan.</summary>
    public const string NoChurnedClients = "no-churned-clients";
    /// <summary>Sales plus marketing costs in the period are 0.</summary>
    public const string NoSalesMarketingCost = "no-sales-marketing-cost";
    /// <summary>No nps answer in the period.</summary>
    public const string NoNpsAnswers = "no-nps-answers";
    /// <summary>No csat answer in the period.</summary>
    public const string NoCsatAnswers = "no-csat-answers";
    /// <summary>No ces answer in the period.</summary>
    public const string NoCesAnswers = "no-ces-answers";
    /// <summary>No lead has <c>createdOn</c> in the period.</summary>
    public const string NoLeadsCreated = "no-leads-created";
    /// <summary>No lead has <c>closedOn</c> in the period.</summary>
    public const string NoClosedLeads = "no-closed-leads";
    /// <summary>No lead was won with <c>closedOn</c> in the period.</summary>
    public const string NoWonLeads = "no-won-leads";
    /// <summary>The mean sales cycle is 0 days (every won lead closed on its creation day), so velocity would divide by 0.</summary>
    public const string ZeroSalesCycle = "zero-sales-cycle";
    /// <summary>No nps answer from an economic buyer in the period.</summary>
    public const string NoEconomicBuyerNpsAnswers = "no-economic-buyer-nps-answers";
    /// <summary>No active client has nps answers from two or more committee roles in the period.</summary>
    public const string NoClientsWithTwoNpsRoles = "no-clients-with-two-nps-roles";
}
