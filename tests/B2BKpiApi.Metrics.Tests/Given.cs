namespace B2BKpiApi.Metrics.Tests;

/// <summary>Short ways to write dates, periods and facts in tests.</summary>
public static class Given
{
    public static DateOnly D(string isoDate) => DateOnly.Parse(isoDate, System.Globalization.CultureInfo.InvariantCulture);

    public static Period P(string from, string to) => new(D(from), D(to));

    /// <summary>Q1 2025: 2025-01-01..2025-03-31, 90 days.</summary>
    public static readonly Period Q1 = P("2025-01-01", "2025-03-31");

    public static readonly ClientFacts NoClients = new(0, 0, 0, 0, 0, 0);
    public static readonly RevenueFacts NoRevenue = new(0, 0, 0, 0, 0, 0, 0, 0);
    public static readonly CostFacts NoCosts = new(0, 0, 0, 0, 0);
    public static readonly SurveyFacts NoSurveys = new(0, 0, 0, 0, 0, 0, 0);
    public static readonly LeadFacts NoLeads = new(0, 0, 0, 0, 0, 0, 0, 0);
    public static readonly RelationshipFacts NoRelationships = new(0, 0, 0, 0, 0);

    /// <summary>Every family present and empty, for Q1 2025.</summary>
    public static readonly PeriodFacts EmptyFacts = new(Q1, NoClients, NoRevenue, NoCosts, NoSurveys, NoLeads, NoRelationships);

    public static KpiResult Kpi(string id, PeriodFacts facts)
    {
        Assert.True(KpiCatalog.TryGet(id, out var definition), $"{id} is in the catalog");
        return KpiCalculator.Compute(definition, facts);
    }

    public static decimal? Input(KpiResult result, string name) =>
        Assert.Single(result.Inputs, i => i.Name == name).Value;

    public static void AssertUndefined(KpiResult result, string reason)
    {
        Assert.Null(result.Value);
        Assert.Equal(reason, result.Reason);
    }

    public static void AssertValue(KpiResult result, decimal expected)
    {
        Assert.Null(result.Reason);
        Assert.Equal(expected, result.Value);
    }

    public static ClientRecord Client(string acquiredOn, string? churnedOn = null) =>
        new(Guid.NewGuid(), D(acquiredOn), churnedOn is null ? null : D(churnedOn), null, null);

    public static TenantRecords Records(
        IReadOnlyList<ClientRecord>? clients = null, IReadOnlyList<ContractRecord>? contracts = null,
        IReadOnlyList<LeadRecord>? leads = null, IReadOnlyList<SurveyRecord>? surveys = null,
        IReadOnlyList<CostRecord>? costs = null) =>
        new(clients ?? [], contracts ?? [], leads ?? [], surveys ?? [], costs ?? []);
}
