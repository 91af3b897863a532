using B2BKpiApi.Data;
using B2BKpiApi.Metrics;
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
/// Builds a period's <see cref="PeriodFacts"/> from SQL aggregates: a fixed handful of queries per
/// period (counts, sums and contract values grouped by term), whatever the number of records or KPIs.
/// No tenant record is loaded into memory; the tenant query filters scope every query.
/// </summary>
public sealed class FactsQuery(KpiDbContext db)
{
    /// <summary>
    /// The facts of <paramref name="period"/>; only the <paramref name="families"/> asked for are queried
    /// (the others are null), so one KPI costs only the queries its formula reads.
    /// </summary>
    public async Task<PeriodFacts> ComputeAsync(Period period, KpiFilter filter, IReadOnlyCollection<FactFamily> families, CancellationToken ct)
    {
        var clients = Clients(filter);
        var contracts = filter.ByClient ? db.Contracts.Where(c => clients.Any(x => x.Id == c.ClientId)) : db.Contracts;
        var surveys = filter.ByClient ? db.Surveys.Where(s => clients.Any(x => x.Id == s.ClientId)) : db.Surveys;
        var leads = filter.Source is { } source ? db.Leads.Where(l => l.Source == source) : db.Leads;
        bool Wanted(FactFamily family, bool applies) => applies && families.Contains(family);

        return new PeriodFacts(
            period,
            Wanted(FactFamily.Clients, !filter.ByLead) ? await ClientFactsAsync(clients, period, ct) : null,
            Wanted(FactFamily.Revenue, !filter.ByLead) ? await RevenueFactsAsync(clients, contracts, period, ct) : null,
            Wanted(FactFamily.Costs, !filter.ByLead && !filter.ByClient) ? await CostFactsAsync(period, ct) : null,
            Wanted(FactFamily.Surveys, !filter.ByLead) ? await SurveyFactsAsync(surveys, period, ct) : null,
            Wanted(FactFamily.Leads, !filter.ByClient) ? await LeadFactsAsync(leads, period, ct) : null);
    }

    /// <summary>Every family: what the scorecard reads.</summary>
    public static IReadOnlyCollection<FactFamily> AllFamilies { get; } = Enum.GetValues<FactFamily>();

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

    private static async Task<ClientFacts> ClientFactsAsync(IQueryable<Client> clients, Period p, CancellationToken ct)
    {
        DateOnly start = p.Start, from = p.From, to = p.To;
        var row = await clients.GroupBy(_ => 1).Select(g => new
        {
            AtStart = g.Count(c => c.AcquiredOn <= start && (c.ChurnedOn == null || c.ChurnedOn > start)),
            AtEnd = g.Count(c => c.AcquiredOn <= to && (c.ChurnedOn == null || c.ChurnedOn > to)),
            New = g.Count(c => c.AcquiredOn >= from && c.AcquiredOn <= to),
            Lost = g.Count(c => c.AcquiredOn <= start && c.ChurnedOn >= from && c.ChurnedOn <= to),
            Churned = g.Count(c => c.ChurnedOn <= to),
            LifespanDays = g.Sum(c => c.ChurnedOn <= to ? (long)(c.ChurnedOn!.Value.DayNumber - c.AcquiredOn.DayNumber) : 0L),
        }).SingleOrDefaultAsync(ct);
        return row is null
            ? new ClientFacts(0, 0, 0, 0, 0, 0)
            : new ClientFacts(row.AtStart, row.AtEnd, row.New, row.Lost, row.Churned, row.LifespanDays);
    }

    private async Task<RevenueFacts> RevenueFactsAsync(IQueryable<Client> clients, IQueryable<Contract> contracts, Period p,
        CancellationToken ct)
    {
        DateOnly start = p.Start, from = p.From, to = p.To;
        var previous = p.Previous();
        var earliest = previous.From;

        // Every term that overlaps the previous period or this one: enough for R, Rprev and ARR on start.
        var terms = await Terms(contracts.Where(c => c.StartsOn <= to && c.EndsOn >= earliest), ct);
        var activeAtEnd = await Terms(contracts.Where(c => c.StartsOn <= to && c.EndsOn >= to
            && clients.Any(x => x.Id == c.ClientId && x.AcquiredOn <= to && (x.ChurnedOn == null || x.ChurnedOn > to))), ct);
        var retainedAtEnd = await Terms(contracts.Where(c => c.StartsOn <= to && c.EndsOn >= to
            && db.Contracts.Any(o => o.ClientId == c.ClientId && o.StartsOn <= start && o.EndsOn >= start)), ct);

        var signed = await contracts.Where(c => c.SignedOn >= from && c.SignedOn <= to).GroupBy(_ => 1).Select(g => new
        {
            Count = g.Count(),
            Value = g.Sum(c => c.ValueMinor),
            Clients = g.Select(c => c.ClientId).Distinct().Count(),
        }).SingleOrDefaultAsync(ct);

        return new RevenueFacts(
            Recognition.Revenue(terms, p),
            Recognition.Revenue(terms, previous),
            Recognition.Arr(activeAtEnd, to),
            Recognition.Arr(terms, start),
            Recognition.Arr(retainedAtEnd, to),
            signed?.Count ?? 0,
            Common.Money.FromMinor(signed?.Value ?? 0),
            signed?.Clients ?? 0);
    }

    /// <summary>Contract values summed per term; revenue and ARR are exact from these sums.</summary>
    private static async Task<List<TermValue>> Terms(IQueryable<Contract> contracts, CancellationToken ct) =>
        (await contracts.GroupBy(c => new { c.StartsOn, c.EndsOn })
            .Select(g => new { g.Key.StartsOn, g.Key.EndsOn, Value = g.Sum(c => c.ValueMinor) })
            .ToListAsync(ct))
        .Select(t => new TermValue(t.StartsOn, t.EndsOn, Common.Money.FromMinor(t.Value)))
        .ToList();

    private async Task<CostFacts> CostFactsAsync(Period p, CancellationToken ct)
    {
        DateOnly from = p.From, to = p.To;
        var sums = await db.Costs.Where(c => c.IncurredOn >= from && c.IncurredOn <= to)
            .GroupBy(c => c.Category)
            .Select(g => new { Category = g.Key, Amount = g.Sum(c => c.AmountMinor) })
            .ToDictionaryAsync(r => r.Category, r => Common.Money.FromMinor(r.Amount), ct);
        decimal Of(CostCategory category) => sums.GetValueOrDefault(category);
        return new CostFacts(Of(CostCategory.Cogs), Of(CostCategory.DirectLabor), Of(CostCategory.Sales), Of(CostCategory.Marketing),
            Of(CostCategory.Overhead));
    }

    private static async Task<SurveyFacts> SurveyFactsAsync(IQueryable<Survey> surveys, Period p, CancellationToken ct)
    {
        DateOnly from = p.From, to = p.To;
        var byKind = await surveys.Where(s => s.RespondedOn >= from && s.RespondedOn <= to)
            .GroupBy(s => s.Kind)
            .Select(g => new
            {
                Kind = g.Key,
                Answers = g.Count(),
                NineOrMore = g.Count(s => s.Score >= 9),
                SevenOrEight = g.Count(s => s.Score >= 7 && s.Score <= 8),
                FourOrMore = g.Count(s => s.Score >= 4),
                ScoreSum = g.Sum(s => (long)s.Score),
            })
            .ToDictionaryAsync(r => r.Kind, ct);
        var nps = byKind.GetValueOrDefault(SurveyKind.Nps);
        var csat = byKind.GetValueOrDefault(SurveyKind.Csat);
        var ces = byKind.GetValueOrDefault(SurveyKind.Ces);
        return new SurveyFacts(
            NpsPromoters: nps?.NineOrMore ?? 0,
            NpsPassives: nps?.SevenOrEight ?? 0,
            NpsDetractors: nps is null ? 0 : nps.Answers - nps.NineOrMore - nps.SevenOrEight,
            CsatAnswers: csat?.Answers ?? 0,
            CsatSatisfied: csat?.FourOrMore ?? 0,
            CesAnswers: ces?.Answers ?? 0,
            CesScoreSum: ces?.ScoreSum ?? 0);
    }

    private static async Task<LeadFacts> LeadFactsAsync(IQueryable<Lead> leads, Period p, CancellationToken ct)
    {
        DateOnly from = p.From, to = p.To;
        var row = await leads.GroupBy(_ => 1).Select(g => new
        {
            Qualified = g.Count(l => l.QualifiedOn >= from && l.QualifiedOn <= to),
            Created = g.Count(l => l.CreatedOn >= from && l.CreatedOn <= to),
            Converted = g.Count(l => l.CreatedOn >= from && l.CreatedOn <= to && l.OpportunityOn <= to),
            Won = g.Count(l => l.ClosedOn >= from && l.ClosedOn <= to && l.Outcome == LeadOutcome.Won),
            Lost = g.Count(l => l.ClosedOn >= from && l.ClosedOn <= to && l.Outcome == LeadOutcome.Lost),
            WonValue = g.Sum(l => l.ClosedOn >= from && l.ClosedOn <= to && l.Outcome == LeadOutcome.Won ? l.DealValueMinor ?? 0L : 0L),
            WonDays = g.Sum(l => l.ClosedOn >= from && l.ClosedOn <= to && l.Outcome == LeadOutcome.Won
                ? (long)(l.ClosedOn!.Value.DayNumber - l.CreatedOn.DayNumber) : 0L),
            Open = g.Count(l => l.QualifiedOn <= to && (l.ClosedOn == null || l.ClosedOn > to)),
        }).SingleOrDefaultAsync(ct);
        return row is null
            ? new LeadFacts(0, 0, 0, 0, 0, 0m, 0, 0)
            : new LeadFacts(row.Qualified, row.Created, row.Converted, row.Won, row.Lost, Common.Money.FromMinor(row.WonValue),
                row.WonDays, row.Open);
    }
}
