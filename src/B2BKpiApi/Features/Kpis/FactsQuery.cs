using B2BKpiApi.Data;
using B2BKpiApi.Metrics;
using B2BKpiApi.Metrics.Aggregation;
using Microsoft.EntityFrameworkCore;

namespace B2BKpiApi.Features.Kpis;

/// <summary>
/// Optional narrowing of the records a KPI reads. Client <see cref="Industry"/> and <see cref="Segment"/>
/// apply to clients and what belongs to them (contracts, surveys that name a client); lead
/// <see cref="Source"/> applies to leads. A family the filter cannot apply to is left out (null).
/// </summary>
public sealed record KpiFilter(string? Industry, string? Segment, string? Source)
{
    public static readonly KpiFilter None = new(null, null, null);
    public bool ByClient => Industry is not null || Segment is not null;
    public bool ByLead => Source is not null;
}

/// <summary>
/// The parts of the revenue family a KPI reads: recognized revenue, ARR (net revenue retention, ARR per
/// client) and the contracts signed (ACV, CLV). Revenue alone must not pay for the ARR pass.
/// </summary>
[Flags]
public enum RevenueParts
{
    None = 0,
    Recognized = 1,
    Arr = 2,
    SignedContracts = 4,
    All = Recognized | Arr | SignedContracts,
}

/// <summary>What a request reads: the fact families, and within the revenue family the parts.</summary>
public sealed record FactNeeds(IReadOnlyCollection<FactFamily> Families, RevenueParts Revenue)
{
    /// <summary>Every family and part: what the scorecard reads.</summary>
    public static FactNeeds All { get; } = new(Enum.GetValues<FactFamily>(), RevenueParts.All);

    /// <summary>Only what <paramref name="definition"/>'s formula reads; a part not read is left at zero.</summary>
    public static FactNeeds Of(KpiDefinition definition) => new(definition.Reads,
        !definition.Reads.Contains(FactFamily.Revenue) ? RevenueParts.None : definition.Id switch
        {
            KpiIds.NetRevenueRetention or KpiIds.ArrPerClient => RevenueParts.Arr,
            KpiIds.AverageContractValue or KpiIds.CustomerLifetimeValue or KpiIds.ClvCacRatio => RevenueParts.SignedContracts,
            _ => RevenueParts.Recognized,
        });
}

/// <summary>
/// Builds the <see cref="PeriodFacts"/> of many periods at once (a period and its previous one, or every point
/// of a series with their previous periods) from one grouped query per fact family, read as a stream in one
/// pass: each grouped row is credited to the periods it belongs to through a <see cref="PeriodGrid"/>. The
/// number of statements is fixed (at most one per family), no statement is correlated, no plan depends on
/// planner statistics, and memory depends on the periods, not on the number of records. Money stays in
/// integer minor units until the exact decimal division at the end.
/// </summary>
public sealed class FactsQuery(KpiReads reads)
{
    // The primary, or the replica while KpiReads.RunAsync runs a read there.
    private KpiDbContext db => reads.Context;

    /// <summary>Every family: what the scorecard reads.</summary>
    public static IReadOnlyCollection<FactFamily> AllFamilies { get; } = Enum.GetValues<FactFamily>();

    /// <summary>The facts of one period (every part of the asked <paramref name="families"/>).</summary>
    public async Task<PeriodFacts> ComputeAsync(Period period, KpiFilter filter, IReadOnlyCollection<FactFamily> families, CancellationToken ct) =>
        (await ComputeAsync([period], filter, new FactNeeds(families, RevenueParts.All), ct))[period];

    /// <summary>
    /// The facts of every period in <paramref name="periods"/>; only the families and revenue parts in
    /// <paramref name="needs"/> are queried (a family not asked for, or one the filter cannot apply to, is null).
    /// </summary>
    public async Task<IReadOnlyDictionary<Period, PeriodFacts>> ComputeAsync(IReadOnlyCollection<Period> periods, KpiFilter filter,
        FactNeeds needs, CancellationToken ct)
    {
        var grid = new PeriodGrid(periods);
        var clients = Clients(filter);
        bool Wanted(FactFamily family, bool applies) => applies && needs.Families.Contains(family);

        var clientFacts = Wanted(FactFamily.Clients, !filter.ByLead) ? await ClientFactsAsync(clients, grid, ct) : null;
        var revenueFacts = Wanted(FactFamily.Revenue, !filter.ByLead) && needs.Revenue != RevenueParts.None
            ? await RevenueFactsAsync(clients, filter, grid, needs.Revenue, ct) : null;
        var costFacts = Wanted(FactFamily.Costs, !filter.ByLead && !filter.ByClient) ? await CostFactsAsync(grid, ct) : null;
        var surveyFacts = Wanted(FactFamily.Surveys, !filter.ByLead) ? await SurveyFactsAsync(clients, filter, grid, ct) : null;
        var leadFacts = Wanted(FactFamily.Leads, !filter.ByClient) ? await LeadFactsAsync(filter, grid, ct) : null;
        var relationshipFacts = Wanted(FactFamily.Relationships, !filter.ByLead) ? await RelationshipFactsAsync(clients, grid, ct) : null;

        var result = new Dictionary<Period, PeriodFacts>(grid.Periods.Count);
        for (var i = 0; i < grid.Periods.Count; i++)
            result[grid.Periods[i]] = new PeriodFacts(grid.Periods[i], clientFacts?[i], revenueFacts?[i], costFacts?[i], surveyFacts?[i], leadFacts?[i],
                relationshipFacts?[i]);
        return result;
    }

    // CA1862: EF translates ToLower() to SQL lower() on both providers; the StringComparison overloads it cannot translate.
#pragma warning disable CA1862
    private IQueryable<Client> Clients(KpiFilter filter)
    {
        var clients = db.Clients.AsQueryable();
        if (filter.Industry is { } industry)
        {
            var wanted = industry.ToLowerInvariant();
            clients = clients.Where(c => c.Industry != null && c.Industry.ToLower() == wanted);
        }
        if (filter.Segment is { } segment)
        {
            var wanted = segment.ToLowerInvariant();
            clients = clients.Where(c => c.Segment != null && c.Segment.ToLower() == wanted);
        }
        return clients;
    }
#pragma warning restore CA1862

    private static async Task<ClientFacts[]> ClientFactsAsync(IQueryable<Client> clients, PeriodGrid grid, CancellationToken ct)
    {
        var last = grid.LastTo;
        clients = clients.Where(c => c.AcquiredOn <= last);
        var active = new AsOfCounter(grid);
        var churned = new AsOfCounter(grid);
        var lifespanDays = new AsOfCounter(grid);
        var added = new int[grid.Periods.Count];
        var lost = new int[grid.Periods.Count];

        // Two small groupings in one statement instead of one row per (acquiredOn, churnedOn) pair: at 500k clients the
        // pairs are ~150k rows to sort and send, the days a few thousand. A client is active on [acquiredOn, churnedOn),
        // so its acquisition and its churn are counted apart (churnedOn >= acquiredOn is validated on write).
        // L of a period counts its churned clients acquired by its start. Whoever lived at least as long as the longest
        // period was, whatever period holds the churn day; only shorter lives need their acquisition day, so only they
        // are grouped by it (a handful of rows), the rest by churn day with the sum of their acquisition days (for the
        // lifespan). Churn rows carry a negative count, which is how the two halves of the UNION ALL are told apart.
        var longest = grid.Periods.Max(p => p.To.DayNumber - p.From.DayNumber + 1);
        var churns = clients.Where(c => c.ChurnedOn != null)
            .GroupBy(c => new
            {
                Day = c.ChurnedOn!.Value,
                ShortLivedFrom = c.ChurnedOn!.Value.DayNumber - c.AcquiredOn.DayNumber < longest ? (DateOnly?)c.AcquiredOn : null,
            })
            .Select(g => new { g.Key.Day, g.Key.ShortLivedFrom, Count = -g.Count(), AcquiredDays = g.Sum(c => (long)c.AcquiredOn.DayNumber) });
        var acquisitions = clients.GroupBy(c => c.AcquiredOn)
            .Select(g => new { Day = g.Key, ShortLivedFrom = (DateOnly?)null, Count = g.Count(), AcquiredDays = 0L });
        await foreach (var row in churns.Concat(acquisitions).AsAsyncEnumerable().WithCancellation(ct))
        {
            if (row.Count > 0)
            {
                active.Add(row.Day, null, row.Count);
                foreach (var p in grid.Containing(row.Day))
                    added[p] += row.Count;
                continue;
            }
            var count = -row.Count;
            active.Add(row.Day, null, -count);
            churned.Add(row.Day, null, count);
            lifespanDays.Add(row.Day, null, (long)count * row.Day.DayNumber - row.AcquiredDays);
            foreach (var p in grid.Containing(row.Day))
                if (row.ShortLivedFrom is not { } acquiredOn || acquiredOn <= grid.Periods[p].Start)
                    lost[p] += count;
        }
        return Enumerable.Range(0, grid.Periods.Count).Select(p => new ClientFacts(
            (int)active.On(grid.StartIndex(p)), (int)active.On(grid.ToIndex(p)), added[p], lost[p],
            (int)churned.On(grid.ToIndex(p)), lifespanDays.On(grid.ToIndex(p)))).ToArray();
    }

    private async Task<RevenueFacts[]> RevenueFactsAsync(IQueryable<Client> clients, KpiFilter filter, PeriodGrid grid, RevenueParts parts,
        CancellationToken ct)
    {
        // Growth needs the revenue of each period's previous period too, so recognition runs on a wider grid.
        var recognitionGrid = new PeriodGrid(grid.Periods.Concat(grid.Periods.Select(p => p.Previous())));
        var recognizer = new RevenueRecognizer(recognitionGrid);
        // What re-derives R by hand (contracts, days, sums per term length), for the periods asked for only.
        var breakdown = (parts & RevenueParts.Recognized) != 0 ? new RevenueBreakdown(grid) : null;
        DateOnly termsFrom = recognitionGrid.FirstAsOf, termsTo = recognitionGrid.LastTo, first = grid.FirstFrom, last = grid.LastTo;
        var arr = new ArrAccumulator(grid);
        var signedCount = new int[grid.Periods.Count];
        var signedValue = new long[grid.Periods.Count];
        var signingClients = new int[grid.Periods.Count];

        if ((parts & (RevenueParts.Arr | RevenueParts.SignedContracts)) != 0)
        {
            // ARR is per client (cohort, client active on to) and "clients signing" counts distinct clients: read the
            // terms client by client. A join on the primary key, not a correlated subquery.
            var rows = from c in db.Contracts
                       join k in clients on c.ClientId equals k.Id
                       where (c.StartsOn <= termsTo && c.EndsOn >= termsFrom) || (c.SignedOn >= first && c.SignedOn <= last)
                       group c by new { c.ClientId, c.StartsOn, c.EndsOn, c.SignedOn, k.AcquiredOn, k.ChurnedOn } into g
                       orderby g.Key.ClientId
                       select new
                       {
                           g.Key.ClientId, g.Key.StartsOn, g.Key.EndsOn, g.Key.SignedOn, g.Key.AcquiredOn, g.Key.ChurnedOn,
                           Count = g.Count(), Value = g.Sum(x => x.ValueMinor),
                       };
            bool recognize = (parts & RevenueParts.Recognized) != 0, withArr = (parts & RevenueParts.Arr) != 0;
            Guid? current = null;
            (DateOnly AcquiredOn, DateOnly? ChurnedOn) activity = default;
            var signedBy = new HashSet<int>();
            void EndClient()
            {
                if (withArr)
                    arr.EndClient(activity.AcquiredOn, activity.ChurnedOn);
                foreach (var p in signedBy)
                    signingClients[p]++;
                signedBy.Clear();
            }
            await foreach (var row in rows.AsAsyncEnumerable().WithCancellation(ct))
            {
                if (current != row.ClientId)
                {
                    if (current is not null)
                        EndClient();
                    current = row.ClientId;
                    activity = (row.AcquiredOn, row.ChurnedOn);
                }
                if (recognize)
                {
                    recognizer.Add(row.StartsOn, row.EndsOn, row.Value);
                    breakdown!.Add(row.StartsOn, row.EndsOn, row.Count, row.Value);
                }
                if (withArr)
                    arr.AddTerm(row.StartsOn, row.EndsOn, row.Value);
                foreach (var p in grid.Containing(row.SignedOn))
                {
                    signedCount[p] += row.Count;
                    signedValue[p] += row.Value;
                    signedBy.Add(p);
                }
            }
            if (current is not null)
                EndClient();
        }
        else
        {
            var contracts = filter.ByClient ? db.Contracts.Where(c => clients.Select(x => x.Id).Contains(c.ClientId)) : db.Contracts;
            var terms = contracts.Where(c => c.StartsOn <= termsTo && c.EndsOn >= termsFrom)
                .GroupBy(c => new { c.StartsOn, c.EndsOn })
                .Select(g => new { g.Key.StartsOn, g.Key.EndsOn, Value = g.Sum(c => c.ValueMinor), Count = g.Count() });
            await foreach (var term in terms.AsAsyncEnumerable().WithCancellation(ct))
            {
                recognizer.Add(term.StartsOn, term.EndsOn, term.Value);
                breakdown!.Add(term.StartsOn, term.EndsOn, term.Count, term.Value);
            }
        }

        return Enumerable.Range(0, grid.Periods.Count).Select(p =>
        {
            var period = grid.Periods[p];
            bool recognized = (parts & RevenueParts.Recognized) != 0, withArr = (parts & RevenueParts.Arr) != 0,
                signed = (parts & RevenueParts.SignedContracts) != 0;
            return new RevenueFacts(
                recognized ? recognizer.Revenue(recognitionGrid.IndexOf(period)) : 0m,
                recognized ? recognizer.Revenue(recognitionGrid.IndexOf(period.Previous())) : 0m,
                withArr ? arr.ArrOfActiveClients(p) : 0m,
                withArr ? arr.CohortArrAtStart(p) : 0m,
                withArr ? arr.CohortArrAtEnd(p) : 0m,
                signed ? signedCount[p] : 0,
                signed ? Money.FromMinor(signedValue[p]) : 0m,
                signed ? signingClients[p] : 0,
                breakdown?.Of(p));
        }).ToArray();
    }

    private async Task<CostFacts[]> CostFactsAsync(PeriodGrid grid, CancellationToken ct)
    {
        DateOnly first = grid.FirstFrom, last = grid.LastTo;
        var rows = db.Costs.Where(c => c.IncurredOn >= first && c.IncurredOn <= last)
            .GroupBy(c => new { c.IncurredOn, c.Category })
            .Select(g => new { g.Key.IncurredOn, g.Key.Category, Amount = g.Sum(c => c.AmountMinor) });
        var sums = new long[grid.Periods.Count, 5];
        await foreach (var row in rows.AsAsyncEnumerable().WithCancellation(ct))
            foreach (var p in grid.Containing(row.IncurredOn))
                sums[p, (int)row.Category] += row.Amount;
        return Enumerable.Range(0, grid.Periods.Count).Select(p =>
        {
            decimal Of(CostCategory category) => Money.FromMinor(sums[p, (int)category]);
            return new CostFacts(Of(CostCategory.Cogs), Of(CostCategory.DirectLabor), Of(CostCategory.Sales), Of(CostCategory.Marketing),
                Of(CostCategory.Overhead));
        }).ToArray();
    }

    private async Task<SurveyFacts[]> SurveyFactsAsync(IQueryable<Client> clients, KpiFilter filter, PeriodGrid grid, CancellationToken ct)
    {
        DateOnly first = grid.FirstFrom, last = grid.LastTo;
        var surveys = filter.ByClient
            ? db.Surveys.Where(s => s.ClientId != null && clients.Select(x => x.Id).Contains(s.ClientId.Value))
            : db.Surveys;
        var rows = surveys.Where(s => s.RespondedOn >= first && s.RespondedOn <= last)
            .GroupBy(s => new { s.RespondedOn, s.Kind, s.Score })
            .Select(g => new
            {
                g.Key.RespondedOn, g.Key.Kind, g.Key.Score, Count = g.Count(),
                // A conditional count, not a grouping by role: economic-buyer-nps adds no rows to the query.
                EconomicBuyers = g.Count(s => s.RespondentRole == RespondentRole.EconomicBuyer),
            });
        var n = grid.Periods.Count;
        int[] promoters = new int[n], passives = new int[n], detractors = new int[n], csat = new int[n], satisfied = new int[n], ces = new int[n];
        int[] buyerPromoters = new int[n], buyerPassives = new int[n], buyerDetractors = new int[n];
        var cesSum = new long[n];
        await foreach (var row in rows.AsAsyncEnumerable().WithCancellation(ct))
        {
            foreach (var p in grid.Containing(row.RespondedOn))
            {
                switch (row.Kind)
                {
                    case SurveyKind.Nps when row.Score >= 9:
                        promoters[p] += row.Count;
                        buyerPromoters[p] += row.EconomicBuyers;
                        break;
                    case SurveyKind.Nps when row.Score >= 7:
                        passives[p] += row.Count;
                        buyerPassives[p] += row.EconomicBuyers;
                        break;
                    case SurveyKind.Nps:
                        detractors[p] += row.Count;
                        buyerDetractors[p] += row.EconomicBuyers;
                        break;
                    case SurveyKind.Csat:
                        csat[p] += row.Count;
                        if (row.Score >= 4)
                            satisfied[p] += row.Count;
                        break;
                    case SurveyKind.Ces:
                        ces[p] += row.Count;
                        cesSum[p] += (long)row.Score * row.Count;
                        break;
                }
            }
        }
        return Enumerable.Range(0, n)
            .Select(p => new SurveyFacts(promoters[p], passives[p], detractors[p], csat[p], satisfied[p], ces[p], cesSum[p],
                buyerPromoters[p], buyerPassives[p], buyerDetractors[p]))
            .ToArray();
    }

    /// <summary>
    /// The buying committees of the clients active on some period's <c>to</c>: their answers in the periods from the four
    /// committee roles, grouped per client, role, day and kind (with the nps promoters and detractors counted per group),
    /// read client by client. An inner join on the client's primary key (which also applies an industry or segment
    /// filter), not a correlated subquery; answers without a client or role, or with role other, are left out by the WHERE.
    /// </summary>
    private async Task<RelationshipFacts[]> RelationshipFactsAsync(IQueryable<Client> clients, PeriodGrid grid, CancellationToken ct)
    {
        DateOnly first = grid.FirstFrom, last = grid.LastTo, earliestTo = grid.Periods.Min(p => p.To);
        var rows = from s in db.Surveys
                   join c in clients on s.ClientId equals (Guid?)c.Id
                   where s.RespondedOn >= first && s.RespondedOn <= last
                         && s.RespondentRole != null && s.RespondentRole != RespondentRole.Other
                         // Only a client active on some period's `to` can count.
                         && c.AcquiredOn <= last && (c.ChurnedOn == null || c.ChurnedOn > earliestTo)
                   group s by new { c.Id, s.RespondentRole, s.RespondedOn, s.Kind, c.AcquiredOn, c.ChurnedOn } into g
                   orderby g.Key.Id
                   select new
                   {
                       ClientId = g.Key.Id, g.Key.RespondentRole, g.Key.RespondedOn, g.Key.Kind, g.Key.AcquiredOn, g.Key.ChurnedOn,
                       Answers = g.Count(), Promoters = g.Count(x => x.Score >= 9), Detractors = g.Count(x => x.Score <= 6),
                   };

        var committees = new CommitteeAccumulator(grid);
        Guid? current = null;
        (DateOnly AcquiredOn, DateOnly? ChurnedOn) activity = default;
        await foreach (var row in rows.AsAsyncEnumerable().WithCancellation(ct))
        {
            if (current != row.ClientId)
            {
                if (current is not null)
                    committees.EndClient(activity.AcquiredOn, activity.ChurnedOn);
                current = row.ClientId;
                activity = (row.AcquiredOn, row.ChurnedOn);
            }
            var role = row.RespondentRole switch
            {
                RespondentRole.EconomicBuyer => CommitteeRole.EconomicBuyer,
                RespondentRole.TechnicalBuyer => CommitteeRole.TechnicalBuyer,
                RespondentRole.User => CommitteeRole.User,
                RespondentRole.Gatekeeper => CommitteeRole.Gatekeeper,
                _ => throw new InvalidOperationException($"The committee query returned the role {row.RespondentRole}."),
            };
            committees.Add(row.RespondedOn, role, row.Kind == SurveyKind.Nps, row.Answers, row.Promoters, row.Detractors);
        }
        if (current is not null)
            committees.EndClient(activity.AcquiredOn, activity.ChurnedOn);
        return Enumerable.Range(0, grid.Periods.Count).Select(committees.Facts).ToArray();
    }

    private async Task<LeadFacts[]> LeadFactsAsync(KpiFilter filter, PeriodGrid grid, CancellationToken ct)
    {
        var leads = filter.Source is { } source ? db.Leads.Where(l => l.Source == source) : db.Leads;
        // A lead's five dates make nearly every lead its own group: for a period and its previous one, sums
        // computed by the database (one row out) beat streaming every lead; a series streams them once.
        return grid.Periods.Count <= 2 ? await LeadSumsAsync(leads, grid, ct) : await LeadGroupsAsync(leads, grid, ct);
    }

    private static async Task<LeadFacts[]> LeadSumsAsync(IQueryable<Lead> leads, PeriodGrid grid, CancellationToken ct)
    {
        Period a = grid.Periods[0], b = grid.Periods[^1];
        DateOnly aFrom = a.From, aTo = a.To, bFrom = b.From, bTo = b.To;
        var row = await leads.GroupBy(_ => 1).Select(g => new
        {
            QualifiedA = g.Count(l => l.QualifiedOn >= aFrom && l.QualifiedOn <= aTo),
            CreatedA = g.Count(l => l.CreatedOn >= aFrom && l.CreatedOn <= aTo),
            ConvertedA = g.Count(l => l.CreatedOn >= aFrom && l.CreatedOn <= aTo && l.OpportunityOn <= aTo),
            WonA = g.Count(l => l.ClosedOn >= aFrom && l.ClosedOn <= aTo && l.Outcome == LeadOutcome.Won),
            LostA = g.Count(l => l.ClosedOn >= aFrom && l.ClosedOn <= aTo && l.Outcome == LeadOutcome.Lost),
            WonValueA = g.Sum(l => l.ClosedOn >= aFrom && l.ClosedOn <= aTo && l.Outcome == LeadOutcome.Won ? l.DealValueMinor ?? 0L : 0L),
            WonDaysA = g.Sum(l => l.ClosedOn >= aFrom && l.ClosedOn <= aTo && l.Outcome == LeadOutcome.Won
                ? (long)(l.ClosedOn!.Value.DayNumber - l.CreatedOn.DayNumber) : 0L),
            OpenA = g.Count(l => l.QualifiedOn <= aTo && (l.ClosedOn == null || l.ClosedOn > aTo)),
            QualifiedB = g.Count(l => l.QualifiedOn >= bFrom && l.QualifiedOn <= bTo),
            CreatedB = g.Count(l => l.CreatedOn >= bFrom && l.CreatedOn <= bTo),
            ConvertedB = g.Count(l => l.CreatedOn >= bFrom && l.CreatedOn <= bTo && l.OpportunityOn <= bTo),
            WonB = g.Count(l => l.ClosedOn >= bFrom && l.ClosedOn <= bTo && l.Outcome == LeadOutcome.Won),
            LostB = g.Count(l => l.ClosedOn >= bFrom && l.ClosedOn <= bTo && l.Outcome == LeadOutcome.Lost),
            WonValueB = g.Sum(l => l.ClosedOn >= bFrom && l.ClosedOn <= bTo && l.Outcome == LeadOutcome.Won ? l.DealValueMinor ?? 0L : 0L),
            WonDaysB = g.Sum(l => l.ClosedOn >= bFrom && l.ClosedOn <= bTo && l.Outcome == LeadOutcome.Won
                ? (long)(l.ClosedOn!.Value.DayNumber - l.CreatedOn.DayNumber) : 0L),
            OpenB = g.Count(l => l.QualifiedOn <= bTo && (l.ClosedOn == null || l.ClosedOn > bTo)),
        }).SingleOrDefaultAsync(ct);
        if (row is null)
            return grid.Periods.Select(_ => new LeadFacts(0, 0, 0, 0, 0, 0m, 0, 0)).ToArray();
        var first = new LeadFacts(row.QualifiedA, row.CreatedA, row.ConvertedA, row.WonA, row.LostA, Money.FromMinor(row.WonValueA),
            row.WonDaysA, row.OpenA);
        var second = new LeadFacts(row.QualifiedB, row.CreatedB, row.ConvertedB, row.WonB, row.LostB, Money.FromMinor(row.WonValueB),
            row.WonDaysB, row.OpenB);
        return grid.Periods.Count == 1 ? [first] : [first, second];
    }

    private static async Task<LeadFacts[]> LeadGroupsAsync(IQueryable<Lead> leads, PeriodGrid grid, CancellationToken ct)
    {
        DateOnly first = grid.FirstFrom, last = grid.LastTo, firstAsOf = grid.FirstAsOf;
        var rows = leads
            .Where(l => (l.CreatedOn >= first && l.CreatedOn <= last)
                        || (l.QualifiedOn >= first && l.QualifiedOn <= last)
                        || (l.ClosedOn >= first && l.ClosedOn <= last)
                        || (l.QualifiedOn <= last && (l.ClosedOn == null || l.ClosedOn > firstAsOf)))
            .GroupBy(l => new { l.CreatedOn, l.QualifiedOn, l.OpportunityOn, l.ClosedOn, l.Outcome })
            .Select(g => new
            {
                g.Key.CreatedOn, g.Key.QualifiedOn, g.Key.OpportunityOn, g.Key.ClosedOn, g.Key.Outcome,
                Count = g.Count(), DealValue = g.Sum(l => l.DealValueMinor ?? 0L),
            });
        var n = grid.Periods.Count;
        int[] qualified = new int[n], created = new int[n], converted = new int[n], won = new int[n], lost = new int[n];
        long[] wonValue = new long[n], wonDays = new long[n];
        var open = new AsOfCounter(grid);
        await foreach (var row in rows.AsAsyncEnumerable().WithCancellation(ct))
        {
            foreach (var p in grid.Containing(row.CreatedOn))
            {
                created[p] += row.Count;
                if (row.OpportunityOn <= grid.Periods[p].To)
                    converted[p] += row.Count;
            }
            if (row.QualifiedOn is { } qualifiedOn)
            {
                foreach (var p in grid.Containing(qualifiedOn))
                    qualified[p] += row.Count;
                open.Add(qualifiedOn, row.ClosedOn, row.Count);
            }
            if (row.ClosedOn is { } closedOn)
            {
                foreach (var p in grid.Containing(closedOn))
                {
                    if (row.Outcome == LeadOutcome.Won)
                    {
                        won[p] += row.Count;
                        wonValue[p] += row.DealValue;
                        wonDays[p] += (long)row.Count * (closedOn.DayNumber - row.CreatedOn.DayNumber);
                    }
                    else if (row.Outcome == LeadOutcome.Lost)
                    {
                        lost[p] += row.Count;
                    }
                }
            }
        }
        return Enumerable.Range(0, n).Select(p => new LeadFacts(qualified[p], created[p], converted[p], won[p], lost[p],
            Money.FromMinor(wonValue[p]), wonDays[p], (int)open.On(grid.ToIndex(p)))).ToArray();
    }
}
