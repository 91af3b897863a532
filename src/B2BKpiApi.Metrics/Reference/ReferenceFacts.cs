namespace B2BKpiApi.Metrics.Reference;

/// <summary>
/// The facts of a period computed record by record, straight from the definitions in kpis.md: the readable
/// definition and the oracle the SQL aggregation is tested against. Applies no filter, so no family is null.
/// </summary>
public static class ReferenceFacts
{
    private static readonly string[] CostCategories = ["cogs", "direct-labor", "sales", "marketing", "overhead"];
    private static readonly string[] SurveyKinds = ["nps", "csat", "ces"];
    private static readonly string[] RespondentRoles = ["economic-buyer", "technical-buyer", "user", "gatekeeper", "other"];
    private static readonly string[] CommitteeRoles = ["economic-buyer", "technical-buyer", "user", "gatekeeper"];
    private static readonly string[] Buyers = ["economic-buyer", "technical-buyer"];

    /// <summary>Computes every fact family of <paramref name="period"/> (both ends inclusive) from the records.</summary>
    /// <exception cref="ArgumentException">A survey kind, respondent role or cost category is not one of kpis.md.</exception>
    public static PeriodFacts Compute(TenantRecords data, Period period)
    {
        ArgumentNullException.ThrowIfNull(data);
        return new PeriodFacts(
            period,
            Clients(data.Clients, period),
            Revenue(data, period),
            Costs(data.Costs, period),
            Surveys(data.Surveys, period),
            Leads(data.Leads, period),
            Relationships(data, period));
    }

    /// <summary>kpis.md: active on d when <c>acquiredOn &lt;= d</c> and (<c>churnedOn</c> is null or <c>churnedOn &gt; d</c>).</summary>
    private static bool IsActive(ClientRecord client, DateOnly day) =>
        client.AcquiredOn <= day && (client.ChurnedOn is null || client.ChurnedOn > day);

    private static ClientFacts Clients(IReadOnlyList<ClientRecord> clients, Period p)
    {
        var churned = clients.Where(c => c.ChurnedOn <= p.To).ToArray();
        return new ClientFacts(
            AtStart: clients.Count(c => IsActive(c, p.Start)),
            AtEnd: clients.Count(c => IsActive(c, p.To)),
            New: clients.Count(c => p.Contains(c.AcquiredOn)),
            Lost: clients.Count(c => IsActive(c, p.Start) && c.ChurnedOn is { } churnedOn && p.Contains(churnedOn)),
            Churned: churned.Length,
            ChurnedLifespanDays: churned.Sum(c => (long)(c.ChurnedOn!.Value.DayNumber - c.AcquiredOn.DayNumber)));
    }

    private static RevenueFacts Revenue(TenantRecords data, Period p)
    {
        var terms = data.Contracts.Select(Term).ToArray();
        var activeAtEnd = data.Clients.Where(c => IsActive(c, p.To)).Select(c => c.Id).ToHashSet();
        // ARR comes from contracts alone, whatever the client's churn date says.
        var arrByClient = data.Contracts
            .GroupBy(c => c.ClientId)
            .Select(g => (Client: g.Key,
                          AtStart: Recognition.Arr(g.Select(Term), p.Start),
                          AtEnd: Recognition.Arr(g.Select(Term), p.To)))
            .ToArray();
        var cohort = arrByClient.Where(a => a.AtStart > 0).ToArray();
        var signed = data.Contracts.Where(c => p.Contains(c.SignedOn)).ToArray();
        return new RevenueFacts(
            Revenue: Recognition.Revenue(terms, p),
            PreviousRevenue: Recognition.Revenue(terms, p.Previous()),
            ArrAtEnd: arrByClient.Where(a => activeAtEnd.Contains(a.Client)).Sum(a => a.AtEnd),
            NrrBaseArr: cohort.Sum(a => a.AtStart),
            NrrCurrentArr: cohort.Sum(a => a.AtEnd),
            ContractsSigned: signed.Length,
            ContractsSignedValue: signed.Sum(c => c.Value),
            ClientsSigning: signed.Select(c => c.ClientId).Distinct().Count(),
            Recognition: Recognized(data.Contracts, p));
    }

    /// <summary>Contract by contract: the days of its term inside P, grouped by the term's length.</summary>
    private static RevenueRecognition Recognized(IReadOnlyList<ContractRecord> contracts, Period p)
    {
        var inside = contracts
            .Select(c => (Length: c.EndsOn.DayNumber - c.StartsOn.DayNumber + 1, c.Value,
                          Days: Math.Min(c.EndsOn.DayNumber, p.To.DayNumber) - Math.Max(c.StartsOn.DayNumber, p.From.DayNumber) + 1))
            .Where(c => c.Days > 0)
            .ToArray();
        var terms = inside.GroupBy(c => c.Length).OrderBy(g => g.Key)
            .Select(g => new TermLengthRevenue(g.Key, g.Count(), g.Sum(c => (long)c.Days), g.Sum(c => c.Value * c.Days)))
            .ToList();
        return new RevenueRecognition(inside.Length, inside.Sum(c => (long)c.Days), terms);
    }

    private static TermValue Term(ContractRecord contract) => new(contract.StartsOn, contract.EndsOn, contract.Value);

    private static CostFacts Costs(IReadOnlyList<CostRecord> costs, Period p)
    {
        if (costs.FirstOrDefault(c => !CostCategories.Contains(c.Category)) is { } unknown)
            throw new ArgumentException($"Unknown cost category '{unknown.Category}'.", nameof(costs));
        var inPeriod = costs.Where(c => p.Contains(c.IncurredOn)).ToArray();
        decimal Sum(string category) => inPeriod.Where(c => c.Category == category).Sum(c => c.Amount);
        return new CostFacts(Sum("cogs"), Sum("direct-labor"), Sum("sales"), Sum("marketing"), Sum("overhead"));
    }

    private static SurveyFacts Surveys(IReadOnlyList<SurveyRecord> surveys, Period p)
    {
        if (surveys.FirstOrDefault(s => !SurveyKinds.Contains(s.Kind)) is { } unknown)
            throw new ArgumentException($"Unknown survey kind '{unknown.Kind}'.", nameof(surveys));
        var inPeriod = surveys.Where(s => p.Contains(s.RespondedOn)).ToArray();
        var nps = inPeriod.Where(s => s.Kind == "nps").ToArray();
        var csat = inPeriod.Where(s => s.Kind == "csat").ToArray();
        var ces = inPeriod.Where(s => s.Kind == "ces").ToArray();
        var economicBuyers = nps.Where(s => s.RespondentRole == "economic-buyer").ToArray();
        return new SurveyFacts(
            NpsPromoters: nps.Count(s => s.Score >= 9),
            NpsPassives: nps.Count(s => s.Score is 7 or 8),
            NpsDetractors: nps.Count(s => s.Score <= 6),
            CsatAnswers: csat.Length,
            CsatSatisfied: csat.Count(s => s.Score >= 4),
            CesAnswers: ces.Length,
            CesScoreSum: ces.Sum(s => (long)s.Score),
            EconomicBuyerPromoters: economicBuyers.Count(s => s.Score >= 9),
            EconomicBuyerPassives: economicBuyers.Count(s => s.Score is 7 or 8),
            EconomicBuyerDetractors: economicBuyers.Count(s => s.Score <= 6));
    }

    /// <summary>
    /// Client by client, straight from the definitions: the clients active on <c>to</c>, their answers in P from the four
    /// committee roles (<c>other</c> is none), the roles heard, and each role's NPS.
    /// </summary>
    private static RelationshipFacts Relationships(TenantRecords data, Period p)
    {
        if (data.Surveys.FirstOrDefault(s => s.RespondentRole is { } role && !RespondentRoles.Contains(role)) is { } unknown)
            throw new ArgumentException($"Unknown respondent role '{unknown.RespondentRole}'.", nameof(data));
        var activeAtEnd = data.Clients.Where(c => IsActive(c, p.To)).Select(c => c.Id).ToHashSet();
        var committees = data.Surveys
            .Where(s => p.Contains(s.RespondedOn) && s.ClientId is { } id && activeAtEnd.Contains(id) && CommitteeRoles.Contains(s.RespondentRole))
            .GroupBy(s => s.ClientId!.Value)
            .Select(answers => answers.ToArray())
            .ToArray();

        int rolesAnswering = 0, covered = 0, withBuyerDetractor = 0, withTwoNpsRoles = 0;
        var spreadSum = 0m;
        foreach (var answers in committees)
        {
            var roles = answers.Select(s => s.RespondentRole).Distinct().ToArray();
            rolesAnswering += roles.Length;
            if (roles.Contains("economic-buyer") && roles.Length >= 2)
                covered++;
            if (answers.Any(s => s.Kind == "nps" && s.Score <= 6 && Buyers.Contains(s.RespondentRole)))
                withBuyerDetractor++;
            var roleNps = answers.Where(s => s.Kind == "nps")
                .GroupBy(s => s.RespondentRole)
                .Select(g => (g.Count(s => s.Score >= 9) - g.Count(s => s.Score <= 6)) * 100m / g.Count())
                .ToArray();
            if (roleNps.Length < 2)
                continue;
            withTwoNpsRoles++;
            spreadSum += roleNps.Max() - roleNps.Min();
        }
        return new RelationshipFacts(rolesAnswering, covered, withBuyerDetractor, withTwoNpsRoles, spreadSum);
    }

    private static LeadFacts Leads(IReadOnlyList<LeadRecord> leads, Period p)
    {
        var created = leads.Where(l => p.Contains(l.CreatedOn)).ToArray();
        var closedInPeriod = leads.Where(l => l.ClosedOn is { } closedOn && p.Contains(closedOn)).ToArray();
        var won = closedInPeriod.Where(l => l.Won == true).ToArray();
        return new LeadFacts(
            Qualified: leads.Count(l => l.QualifiedOn is { } q && p.Contains(q)),
            Created: created.Length,
            CreatedConverted: created.Count(l => l.OpportunityOn <= p.To),
            Won: won.Length,
            Lost: closedInPeriod.Count(l => l.Won == false),
            WonDealValue: won.Sum(l => l.DealValue ?? 0),
            WonCycleDays: won.Sum(l => (long)(l.ClosedOn!.Value.DayNumber - l.CreatedOn.DayNumber)),
            OpenQualified: leads.Count(l => l.QualifiedOn <= p.To && !(l.ClosedOn <= p.To)));
    }
}
