namespace B2BKpiApi.Metrics;

/// <summary>
/// A formula's access to the fact families it declares in <see cref="KpiDefinition.Reads"/>. The calculator
/// has already answered <c>filter-not-applicable</c> for a null family, so a null here is a catalog bug.
/// </summary>
internal static class Facts
{
    public static ClientFacts Clients(PeriodFacts facts) => facts.Clients ?? throw Undeclared(FactFamily.Clients);

    public static RevenueFacts Revenue(PeriodFacts facts) => facts.Revenue ?? throw Undeclared(FactFamily.Revenue);

    public static CostFacts Costs(PeriodFacts facts) => facts.Costs ?? throw Undeclared(FactFamily.Costs);

    public static SurveyFacts Surveys(PeriodFacts facts) => facts.Surveys ?? throw Undeclared(FactFamily.Surveys);

    public static LeadFacts Leads(PeriodFacts facts) => facts.Leads ?? throw Undeclared(FactFamily.Leads);

    public static RelationshipFacts Relationships(PeriodFacts facts) =>
        facts.Relationships ?? throw Undeclared(FactFamily.Relationships);

    public static bool Has(PeriodFacts facts, FactFamily family) => family switch
    {
        FactFamily.Clients => facts.Clients is not null,
        FactFamily.Revenue => facts.Revenue is not null,
        FactFamily.Costs => facts.Costs is not null,
        FactFamily.Surveys => facts.Surveys is not null,
        FactFamily.Leads => facts.Leads is not null,
        FactFamily.Relationships => facts.Relationships is not null,
        _ => throw new ArgumentOutOfRangeException(nameof(family), family, null),
    };

    private static InvalidOperationException Undeclared(FactFamily family) =>
        new($"A formula read the {Wire.Of(family)} facts without declaring them in its definition.");
}
