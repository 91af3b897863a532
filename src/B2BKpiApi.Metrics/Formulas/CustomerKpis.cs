namespace B2BKpiApi.Metrics;

/// <summary>The client-count KPIs: they read <see cref="ClientFacts"/> only.</summary>
internal static class CustomerKpis
{
    private static readonly FactFamily[] ClientsOnly = [FactFamily.Clients];

    /// <summary><c>E</c>: clients active on <c>to</c>. A count, never undefined.</summary>
    public static readonly KpiFormula ActiveClients = new(
        new KpiDefinition(
            KpiIds.ActiveClients, 1, "Active clients",
            "Clients active on the period's last day (E): acquiredOn on or before `to`, and churnedOn empty or after `to` " +
            "(a client churned on `to` no longer counts). A count of nothing is 0. Customer perspective; lagging.",
            "E", Unit.Count, Direction.HigherIsBetter, Perspective.Customer, Timing.Lagging, ClientsOnly, 0, null),
        f => Measurement.Defined(Facts.Clients(f).AtEnd, new KpiInput("clientsAtEnd", Facts.Clients(f).AtEnd)));

    /// <summary><c>N</c>: clients with <c>acquiredOn</c> in P (both ends inclusive). A count, never undefined.</summary>
    public static readonly KpiFormula NewClients = new(
        new KpiDefinition(
            KpiIds.NewClients, 1, "New clients",
            "Clients acquired in the period (N): acquiredOn from `from` to `to`, both inclusive, counted even if they " +
            "churned again within the period. A count of nothing is 0. Customer perspective; lagging.",
            "N", Unit.Count, Direction.HigherIsBetter, Perspective.Customer, Timing.Lagging, ClientsOnly, 0, null),
        f => Measurement.Defined(Facts.Clients(f).New, new KpiInput("newClients", Facts.Clients(f).New)));

    /// <summary><c>(E − N) / S × 100</c>; denominator S, the clients active on the day before <c>from</c>.</summary>
    public static readonly KpiFormula RetentionRate = new(
        new KpiDefinition(
            KpiIds.CustomerRetentionRate, 1, "Customer retention rate",
            "(E − N) / S × 100 exactly as seed 001 states it. A client acquired in the period and lost again before its end " +
            "counts in N but not in E, so it lowers the rate: the rate is 100 − churn rate − (such clients / S × 100), " +
            "never above 100 and, in a period where many new clients leave again, possibly below 0. " +
            "Undefined (no-clients-at-period-start) when S = 0. Customer perspective; lagging.",
            "(E − N) / S × 100", Unit.Percent, Direction.HigherIsBetter, Perspective.Customer, Timing.Lagging, ClientsOnly, null, 100),
        f =>
        {
            var c = Facts.Clients(f);
            return Measurement.Percentage(c.AtEnd - c.New, c.AtStart, KpiReasons.NoClientsAtPeriodStart,
                new("clientsAtStart", c.AtStart), new("clientsAtEnd", c.AtEnd), new("newClients", c.New));
        });

    /// <summary><c>L / S × 100</c>; denominator S, the clients active on the day before <c>from</c>.</summary>
    public static readonly KpiFormula ChurnRate = new(
        new KpiDefinition(
            KpiIds.CustomerChurnRate, 1, "Customer churn rate",
            "L / S × 100: of the clients active on the day before the period (S), the share with churnedOn in the period " +
            "(both ends inclusive). A client both acquired and lost within the period is not in S, so it does not count. " +
            "Undefined (no-clients-at-period-start) when S = 0. Customer perspective; lagging.",
            "L / S × 100", Unit.Percent, Direction.LowerIsBetter, Perspective.Customer, Timing.Lagging, ClientsOnly, 0, 100),
        f =>
        {
            var c = Facts.Clients(f);
            return Measurement.Percentage(c.Lost, c.AtStart, KpiReasons.NoClientsAtPeriodStart,
                new("lostClients", c.Lost), new("clientsAtStart", c.AtStart));
        });
}
