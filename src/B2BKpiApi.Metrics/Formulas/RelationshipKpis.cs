namespace B2BKpiApi.Metrics;

/// <summary>
/// The relationship KPIs: how broadly and how warmly each client's buying committee (DMU) answers surveys. The
/// committee roles are <c>economic-buyer</c>, <c>technical-buyer</c>, <c>user</c> and <c>gatekeeper</c>; <c>other</c>
/// is no committee role. The per-client KPIs read the clients active on <c>to</c> (E, as <c>active-clients</c>) and
/// their answers with <c>respondedOn</c> in P (both ends inclusive); answers without a client cannot be attributed
/// to one and count only in <see cref="EconomicBuyerNps"/>.
/// </summary>
internal static class RelationshipKpis
{
    private static readonly FactFamily[] CommitteeOfActiveClients = [FactFamily.Relationships, FactFamily.Clients];

    private const string Scope =
        "Active clients are E, the clients active on `to` (as active-clients): a client that churned during the period is " +
        "no longer a relationship to watch. An answer counts when its respondedOn is in the period (both inclusive), it " +
        "names one of these clients and one of the four committee roles economic-buyer, technical-buyer, user, gatekeeper " +
        "(the role other, an answer without a role and an answer without a client do not count); every survey kind " +
        "(nps, csat, ces) counts as answering unless stated. ";

    /// <summary><c>Σ roles answering per client of E / E</c>; denominator E, the clients active on <c>to</c>.</summary>
    public static readonly KpiFormula RelationshipBreadth = new(
        new KpiDefinition(
            KpiIds.RelationshipBreadth, 1, "Relationship breadth",
            "The mean number of distinct committee roles that answered a survey per active client: Σ over the clients of E " +
            "of the distinct roles among their answers / E, from 0 (nobody heard) to 4 (every role heard). A client without " +
            "answers counts with 0. " + Scope +
            "Undefined (no-active-clients) when E = 0. The sample is E; below 30 clients it is small. " +
            "Customer perspective; leading (a relationship held by one person is lost with that person).",
            "Σ distinct committee roles answering, over the clients of E / E",
            Unit.Ratio, Direction.HigherIsBetter, Perspective.Customer, Timing.Leading, CommitteeOfActiveClients, 0, 4),
        f =>
        {
            var r = Facts.Relationships(f);
            var clients = Facts.Clients(f).AtEnd;
            return Measurement.Quotient(r.RolesAnswering, clients, KpiReasons.NoActiveClients,
                    new("rolesAnswering", r.RolesAnswering), new("clientsAtEnd", clients))
                .WithSample(clients);
        });

    /// <summary><c>covered clients / E × 100</c>; denominator E, the clients active on <c>to</c>.</summary>
    public static readonly KpiFormula DmuCoverageRate = new(
        new KpiDefinition(
            KpiIds.DmuCoverageRate, 1, "DMU coverage rate",
            "The share of active clients with answers from at least one economic buyer and at least one other committee role " +
            "(technical-buyer, user or gatekeeper; other does not count), × 100. " + Scope +
            "Undefined (no-active-clients) when E = 0. The sample is E; below 30 clients it is small. " +
            "Customer perspective; leading.",
            "clients of E heard from an economic buyer and another committee role / E × 100",
            Unit.Percent, Direction.HigherIsBetter, Perspective.Customer, Timing.Leading, CommitteeOfActiveClients, 0, 100),
        f =>
        {
            var r = Facts.Relationships(f);
            var clients = Facts.Clients(f).AtEnd;
            return Measurement.Percentage(r.CoveredClients, clients, KpiReasons.NoActiveClients,
                    new("coveredClients", r.CoveredClients), new("clientsAtEnd", clients))
                .WithSample(clients);
        });

    /// <summary><c>(promoters − detractors) / answers × 100</c> over the economic buyers' nps answers in P.</summary>
    public static readonly KpiFormula EconomicBuyerNps = new(
        new KpiDefinition(
            KpiIds.EconomicBuyerNps, 1, "Economic buyer NPS",
            "net-promoter-score over the nps answers with respondentRole economic-buyer alone: over those with respondedOn in " +
            "the period (both inclusive), (promoters scoring 9–10 − detractors scoring 0–6) / all of them × 100, from −100 to " +
            "100. Like net-promoter-score every such answer counts, several from one client too, and an answer without a " +
            "client as well (its role says who answered; an industry or segment filter keeps only answers of its clients). " +
            "Undefined (no-economic-buyer-nps-answers) without such answers. The sample is the answers; below 30 it is small. " +
            "Customer perspective; leading (the person who signs the renewal).",
            "%promoters (9–10) − %detractors (0–6), over economic buyers' nps answers",
            Unit.Score, Direction.HigherIsBetter, Perspective.Customer, Timing.Leading, [FactFamily.Surveys], -100, 100),
        f =>
        {
            var s = Facts.Surveys(f);
            var answers = s.EconomicBuyerPromoters + s.EconomicBuyerPassives + s.EconomicBuyerDetractors;
            return Measurement.Percentage(s.EconomicBuyerPromoters - s.EconomicBuyerDetractors, answers,
                    KpiReasons.NoEconomicBuyerNpsAnswers,
                    new("economicBuyerPromoters", s.EconomicBuyerPromoters), new("economicBuyerPassives", s.EconomicBuyerPassives),
                    new("economicBuyerDetractors", s.EconomicBuyerDetractors), new("economicBuyerNpsAnswers", answers))
                .WithSample(answers);
        });

    /// <summary><c>clients with a buyer detractor / E × 100</c>; denominator E, the clients active on <c>to</c>.</summary>
    public static readonly KpiFormula DmuDetractorRate = new(
        new KpiDefinition(
            KpiIds.DmuDetractorRate, 1, "DMU detractor rate",
            "The share of active clients with at least one detractor (an nps answer scoring 0–6) from an economic buyer or a " +
            "technical buyer, × 100; only nps answers can be detractors. " + Scope +
            "Undefined (no-active-clients) when E = 0; 0 when no such client has a buyer detractor. The sample is E; below " +
            "30 clients it is small. Customer perspective; leading.",
            "clients of E with an economic- or technical-buyer nps answer of 0–6 / E × 100",
            Unit.Percent, Direction.LowerIsBetter, Perspective.Customer, Timing.Leading, CommitteeOfActiveClients, 0, 100),
        f =>
        {
            var r = Facts.Relationships(f);
            var clients = Facts.Clients(f).AtEnd;
            return Measurement.Percentage(r.ClientsWithBuyerDetractor, clients, KpiReasons.NoActiveClients,
                    new("clientsWithBuyerDetractor", r.ClientsWithBuyerDetractor), new("clientsAtEnd", clients))
                .WithSample(clients);
        });

    /// <summary>
    /// <c>Σ (highest − lowest role NPS) / clients</c> over the clients of E with nps answers from two or more committee
    /// roles; denominator those clients.
    /// </summary>
    public static readonly KpiFormula DmuNpsSpread = new(
        new KpiDefinition(
            KpiIds.DmuNpsSpread, 1, "DMU NPS spread",
            "How much a client's committee disagrees: over the active clients with nps answers from at least two committee " +
            "roles in the period, the mean of (the highest role NPS − the lowest role NPS). A role's NPS is the NPS of that " +
            "role's nps answers for that client in the period, (promoters − detractors) / answers × 100, on the NPS scale " +
            "−100..100 rather than a mean 0–10 score, so that the spread reads in NPS points and moving from detractor to " +
            "passive counts like moving from passive to promoter; the spread runs from 0 (all roles agree) to 200 (a role of " +
            "promoters beside a role of detractors). Only nps answers count here. " + Scope +
            "Undefined (no-clients-with-two-nps-roles) without such a client. The sample is those clients; below 30 it is " +
            "small. Customer perspective; leading.",
            "Σ (max role NPS − min role NPS) / clients of E with nps answers from ≥ 2 committee roles",
            Unit.Score, Direction.LowerIsBetter, Perspective.Customer, Timing.Leading, [FactFamily.Relationships], 0, 200),
        f =>
        {
            var r = Facts.Relationships(f);
            return Measurement.Quotient(r.NpsSpreadSum, r.ClientsWithTwoNpsRoles, KpiReasons.NoClientsWithTwoNpsRoles,
                    new("npsSpreadSum", r.NpsSpreadSum), new("clientsWithTwoNpsRoles", r.ClientsWithTwoNpsRoles))
                .WithSample(r.ClientsWithTwoNpsRoles);
        });
}
