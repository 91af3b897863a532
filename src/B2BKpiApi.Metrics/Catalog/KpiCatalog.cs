namespace B2BKpiApi.Metrics;

/// <summary>
/// The KPI catalog of kpis.md. Formulas are keyed by (id, definition version): a changed formula is added as a new
/// version beside the old one, which stays computable through <see cref="TryGet(string, int, out KpiDefinition)"/>.
/// </summary>
public static class KpiCatalog
{
    private static readonly KpiFormula[] Formulas =
    [
        CustomerKpis.ActiveClients,
        CustomerKpis.NewClients,
        CustomerKpis.RetentionRate,
        CustomerKpis.ChurnRate,
        RevenueKpis.NetRevenueRetention,
        RevenueKpis.ArrPerClient,
        RevenueKpis.Revenue,
        RevenueKpis.RevenueGrowthRate,
        CostKpis.GrossProfitMargin,
        CostKpis.OperatingMargin,
        CostKpis.LaborCostPercentage,
        RevenueKpis.AverageContractValue,
        CostKpis.CustomerAcquisitionCost,
        ClvKpis.CustomerLifetimeValue,
        ClvKpis.ClvCacRatio,
        SurveyKpis.NetPromoterScore,
        SurveyKpis.CustomerSatisfactionScore,
        SurveyKpis.CustomerEffortScore,
        LeadKpis.MarketingQualifiedLeads,
        LeadKpis.LeadConversionRate,
        LeadKpis.WinRate,
        LeadKpis.AverageDealSize,
        LeadKpis.SalesCycleLength,
        LeadKpis.PipelineVelocity,
        CostKpis.CostPerLead,
        CostKpis.SalesMarketingRoi,
        RelationshipKpis.RelationshipBreadth,
        RelationshipKpis.DmuCoverageRate,
        RelationshipKpis.EconomicBuyerNps,
        RelationshipKpis.DmuDetractorRate,
        RelationshipKpis.DmuNpsSpread,
    ];

    private static readonly Dictionary<(string Id, int Version), KpiFormula> ByIdAndVersion =
        Formulas.ToDictionary(f => (f.Definition.Id, f.Definition.DefinitionVersion));

    private static readonly Dictionary<string, KpiDefinition> Latest = Formulas
        .GroupBy(f => f.Definition.Id)
        .ToDictionary(g => g.Key, g => g.MaxBy(f => f.Definition.DefinitionVersion)!.Definition);

    /// <summary>The current version of every KPI, in the order of the kpis.md table, then the relationship KPIs of api.md's "Added next".</summary>
    public static IReadOnlyList<KpiDefinition> All { get; } =
        Formulas.Select(f => f.Definition).Where(d => Latest[d.Id] == d).ToArray();

    /// <summary>Every version of every KPI, the current ones included.</summary>
    public static IReadOnlyList<KpiDefinition> AllVersions { get; } = Formulas.Select(f => f.Definition).ToArray();

    /// <summary>Finds the current version of the KPI with this id (case-sensitive, as on the wire).</summary>
    public static bool TryGet(string id, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out KpiDefinition? definition) =>
        Latest.TryGetValue(id, out definition);

    /// <summary>Finds one version of the KPI with this id (case-sensitive, as on the wire).</summary>
    public static bool TryGet(string id, int version, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out KpiDefinition? definition)
    {
        definition = ByIdAndVersion.TryGetValue((id, version), out var formula) ? formula.Definition : null;
        return definition is not null;
    }

    /// <summary>The formula of a definition of this catalog.</summary>
    /// <exception cref="ArgumentException">The definition's (id, version) is not in the catalog.</exception>
    internal static KpiFormula FormulaOf(KpiDefinition definition) =>
        ByIdAndVersion.TryGetValue((definition.Id, definition.DefinitionVersion), out var formula)
            ? formula
            : throw new ArgumentException(
                $"The catalog has no KPI {definition.Id} v{definition.DefinitionVersion}.", nameof(definition));
}
