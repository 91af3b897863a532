namespace B2BKpiApi.Metrics.Reference;

/// <summary>A client as the KPIs read it.</summary>
/// <param name="Id">The client's id, which contracts and survey answers refer to.</param>
/// <param name="AcquiredOn">The day it became a client.</param>
/// <param name="ChurnedOn">The day it stopped being one (not active from that day on), or <c>null</c>.</param>
/// <param name="Industry">Its industry, if known.</param>
/// <param name="Segment">Its segment, if known.</param>
public sealed record ClientRecord(Guid Id, DateOnly AcquiredOn, DateOnly? ChurnedOn, string? Industry, string? Segment);

/// <summary>A contract as the KPIs read it.</summary>
/// <param name="ClientId">The client that signed it.</param>
/// <param name="SignedOn">The day it was signed.</param>
/// <param name="StartsOn">First day of its term, inclusive.</param>
/// <param name="EndsOn">Last day of its term, inclusive.</param>
/// <param name="Value">Its value over the whole term.</param>
public sealed record ContractRecord(Guid ClientId, DateOnly SignedOn, DateOnly StartsOn, DateOnly EndsOn, decimal Value);

/// <summary>A lead as the KPIs read it.</summary>
/// <param name="CreatedOn">The day it was created.</param>
/// <param name="QualifiedOn">The day it became a marketing-qualified lead, or <c>null</c>.</param>
/// <param name="OpportunityOn">The day it became an opportunity, or <c>null</c>.</param>
/// <param name="ClosedOn">The day it was won or lost, or <c>null</c> while open.</param>
/// <param name="Won">true for won, false for lost, <c>null</c> while open.</param>
/// <param name="DealValue">The deal's value when won.</param>
/// <param name="Source">The channel it came from.</param>
public sealed record LeadRecord(
    DateOnly CreatedOn, DateOnly? QualifiedOn, DateOnly? OpportunityOn, DateOnly? ClosedOn, bool? Won,
    decimal? DealValue, string? Source);

/// <summary>One survey answer.</summary>
/// <param name="Kind"><c>nps</c> (0–10), <c>csat</c> (1–5) or <c>ces</c> (1–7).</param>
/// <param name="Score">The score, in the kind's range.</param>
/// <param name="RespondedOn">The day of the answer.</param>
/// <param name="ClientId">The client that answered, if known.</param>
/// <param name="RespondentRole">
/// The respondent's role in the client's buying committee: <c>economic-buyer</c>, <c>technical-buyer</c>, <c>user</c>,
/// <c>gatekeeper</c>, <c>other</c>, or <c>null</c> when unknown.
/// </param>
public sealed record SurveyRecord(string Kind, int Score, DateOnly RespondedOn, Guid? ClientId, string? RespondentRole = null);

/// <summary>One cost.</summary>
/// <param name="Category"><c>cogs</c>, <c>direct-labor</c>, <c>sales</c>, <c>marketing</c> or <c>overhead</c>.</param>
/// <param name="Amount">The amount.</param>
/// <param name="IncurredOn">The day it was incurred.</param>
public sealed record CostRecord(string Category, decimal Amount, DateOnly IncurredOn);

/// <summary>All of one tenant's records, in its base currency.</summary>
/// <param name="Clients">Its clients.</param>
/// <param name="Contracts">Its contracts.</param>
/// <param name="Leads">Its leads.</param>
/// <param name="Surveys">Its survey answers.</param>
/// <param name="Costs">Its costs.</param>
public sealed record TenantRecords(
    IReadOnlyList<ClientRecord> Clients,
    IReadOnlyList<ContractRecord> Contracts,
    IReadOnlyList<LeadRecord> Leads,
    IReadOnlyList<SurveyRecord> Surveys,
    IReadOnlyList<CostRecord> Costs)
{
    /// <summary>A tenant without any record.</summary>
    public static TenantRecords Empty { get; } = new([], [], [], [], []);
}
