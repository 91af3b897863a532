namespace B2BKpiApi.Metrics;

/// <summary>
/// The sum of the values of the contracts that share one term. The database groups contracts by
/// term (<c>GROUP BY startsOn, endsOn</c>) so revenue and ARR are exact without loading contracts.
/// </summary>
/// <param name="StartsOn">First day of the term, inclusive.</param>
/// <param name="EndsOn">Last day of the term, inclusive.</param>
/// <param name="Value">Σ contract value over the contracts with this term.</param>
public sealed record TermValue(DateOnly StartsOn, DateOnly EndsOn, decimal Value);

/// <summary>Client counts for a period P (see kpis.md "Named quantities").</summary>
/// <param name="AtStart">S: clients active on the day before <c>from</c>.</param>
/// <param name="AtEnd">E: clients active on <c>to</c>.</param>
/// <param name="New">N: clients with <c>acquiredOn</c> in P.</param>
/// <param name="Lost">L: clients in S with <c>churnedOn</c> in P.</param>
/// <param name="Churned">Clients with <c>churnedOn &lt;= to</c> (for the CLV lifespan).</param>
/// <param name="ChurnedLifespanDays">Σ (churnedOn − acquiredOn) in days over those churned clients.</param>
public sealed record ClientFacts(int AtStart, int AtEnd, int New, int Lost, int Churned, long ChurnedLifespanDays);

/// <summary>Revenue and ARR quantities for a period P.</summary>
/// <param name="Revenue">R: revenue recognized in P (unrounded).</param>
/// <param name="PreviousRevenue">Rprev: revenue recognized in the previous period (unrounded).</param>
/// <param name="ArrAtEnd">Σ ARR(to) over the clients active on <c>to</c> (E).</param>
/// <param name="NrrBaseArr">Σ ARR(start) over the clients with ARR &gt; 0 on <c>start</c>.</param>
/// <param name="NrrCurrentArr">Σ ARR(to) over those same clients.</param>
/// <param name="ContractsSigned">Contracts with <c>signedOn</c> in P.</param>
/// <param name="ContractsSignedValue">Σ value of those contracts.</param>
/// <param name="ClientsSigning">Distinct clients that signed those contracts.</param>
/// <param name="Recognition">How R was summed (contracts, days, sums per term length); null when R was not asked for.</param>
public sealed record RevenueFacts(
    decimal Revenue, decimal PreviousRevenue, decimal ArrAtEnd, decimal NrrBaseArr, decimal NrrCurrentArr,
    int ContractsSigned, decimal ContractsSignedValue, int ClientsSigning, RevenueRecognition? Recognition = null);

/// <summary>
/// The contracts of one term length that recognized revenue in P. Their revenue is
/// <c><see cref="ValueDays"/> / <see cref="TermDays"/></c>: exactly how R is summed, one division per term length.
/// </summary>
/// <param name="TermDays">days(term) = endsOn − startsOn + 1, the denominator of each contract's daily rate.</param>
/// <param name="Contracts">Contracts with a term of that length overlapping P.</param>
/// <param name="RecognizedDays">Σ days of their terms inside P (both ends inclusive).</param>
/// <param name="ValueDays">Σ value × days of the term inside P (exact: money with 2 decimals times whole days).</param>
public sealed record TermLengthRevenue(int TermDays, int Contracts, long RecognizedDays, decimal ValueDays)
{
    /// <summary>The revenue these contracts recognized in P, unrounded.</summary>
    public decimal Revenue => ValueDays / TermDays;
}

/// <summary>What re-derives R by hand: R = Σ over <see cref="ByTermLength"/> of ValueDays / TermDays.</summary>
/// <param name="Contracts">Contracts whose term overlaps P by at least one day.</param>
/// <param name="RecognizedDays">Σ over them of the days of their term inside P.</param>
/// <param name="ByTermLength">One entry per term length, ascending by <see cref="TermLengthRevenue.TermDays"/>.</param>
public sealed record RevenueRecognition(int Contracts, long RecognizedDays, IReadOnlyList<TermLengthRevenue> ByTermLength)
{
    /// <summary>Equal when every count and every term length's sums are equal (the list compared element by element).</summary>
    public bool Equals(RevenueRecognition? other) =>
        other is not null && Contracts == other.Contracts && RecognizedDays == other.RecognizedDays
        && ByTermLength.SequenceEqual(other.ByTermLength);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Contracts, RecognizedDays, ByTermLength.Count);
}

/// <summary>Σ cost amounts with <c>incurredOn</c> in P, by category.</summary>
public sealed record CostFacts(decimal Cogs, decimal DirectLabor, decimal Sales, decimal Marketing, decimal Overhead)
{
    /// <summary>Σ over every category.</summary>
    public decimal Total => Cogs + DirectLabor + Sales + Marketing + Overhead;
}

/// <summary>Survey answers with <c>respondedOn</c> in P, by kind.</summary>
/// <param name="NpsPromoters">nps answers scoring 9–10.</param>
/// <param name="NpsPassives">nps answers scoring 7–8.</param>
/// <param name="NpsDetractors">nps answers scoring 0–6.</param>
/// <param name="CsatAnswers">csat answers.</param>
/// <param name="CsatSatisfied">csat answers scoring 4 or 5.</param>
/// <param name="CesAnswers">ces answers.</param>
/// <param name="CesScoreSum">Σ score of ces answers.</param>
/// <param name="EconomicBuyerPromoters">nps answers scoring 9–10 with respondentRole <c>economic-buyer</c>.</param>
/// <param name="EconomicBuyerPassives">nps answers scoring 7–8 with respondentRole <c>economic-buyer</c>.</param>
/// <param name="EconomicBuyerDetractors">nps answers scoring 0–6 with respondentRole <c>economic-buyer</c>.</param>
public sealed record SurveyFacts(
    int NpsPromoters, int NpsPassives, int NpsDetractors,
    int CsatAnswers, int CsatSatisfied, int CesAnswers, long CesScoreSum,
    int EconomicBuyerPromoters = 0, int EconomicBuyerPassives = 0, int EconomicBuyerDetractors = 0);

/// <summary>
/// The buying committee (DMU) of the clients active on <c>to</c> (E), seen through their survey answers with
/// <c>respondedOn</c> in P. Only answers that name a client and one of the four committee roles count
/// (<c>economic-buyer</c>, <c>technical-buyer</c>, <c>user</c>, <c>gatekeeper</c>; <c>other</c> is no committee role).
/// </summary>
/// <param name="RolesAnswering">Σ over the clients of E of the number of distinct committee roles that answered (any kind).</param>
/// <param name="CoveredClients">Clients of E with answers from an economic buyer and from at least one other committee role.</param>
/// <param name="ClientsWithBuyerDetractor">Clients of E with at least one nps answer scoring 0–6 from an economic or technical buyer.</param>
/// <param name="ClientsWithTwoNpsRoles">Clients of E with nps answers from at least two committee roles.</param>
/// <param name="NpsSpreadSum">
/// Σ over those clients of (the highest − the lowest role NPS), where a role's NPS is (its promoters − its
/// detractors) / its nps answers × 100 over that client's answers (unrounded).
/// </param>
public sealed record RelationshipFacts(
    int RolesAnswering, int CoveredClients, int ClientsWithBuyerDetractor, int ClientsWithTwoNpsRoles, decimal NpsSpreadSum);

/// <summary>Lead quantities for a period P.</summary>
/// <param name="Qualified">Leads with <c>qualifiedOn</c> in P (MQLs).</param>
/// <param name="Created">Leads with <c>createdOn</c> in P.</param>
/// <param name="CreatedConverted">Of those, leads with <c>opportunityOn &lt;= to</c>.</param>
/// <param name="Won">Leads won with <c>closedOn</c> in P.</param>
/// <param name="Lost">Leads lost with <c>closedOn</c> in P.</param>
/// <param name="WonDealValue">Σ dealValue of the won leads closed in P.</param>
/// <param name="WonCycleDays">Σ (closedOn − createdOn) in days of the won leads closed in P.</param>
/// <param name="OpenQualified">Q: leads with <c>qualifiedOn &lt;= to</c> and not closed on or before <c>to</c>.</param>
public sealed record LeadFacts(
    int Qualified, int Created, int CreatedConverted, int Won, int Lost,
    decimal WonDealValue, long WonCycleDays, int OpenQualified);

/// <summary>
/// Everything the KPI formulas read for one period, already aggregated. A family is <c>null</c>
/// when the request's filter cannot apply to it (costs belong to no client; leads carry no
/// industry): every KPI that reads a null family is undefined with reason <c>filter-not-applicable</c>.
/// </summary>
public sealed record PeriodFacts(
    Period Period,
    ClientFacts? Clients,
    RevenueFacts? Revenue,
    CostFacts? Costs,
    SurveyFacts? Surveys,
    LeadFacts? Leads,
    RelationshipFacts? Relationships);
