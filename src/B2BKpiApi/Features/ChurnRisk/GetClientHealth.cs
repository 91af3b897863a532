using System.Text.Json;
using B2BKpiApi.Data;
using FastEndpoints;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace B2BKpiApi.Features.ChurnRisk;

/// <summary>A contract running on asOf.</summary>
public sealed record HealthContract(Guid Id, string Kind, DateOnly SignedOn, DateOnly StartsOn, DateOnly EndsOn, decimal Value);

/// <summary>Recognized revenue (as the KPI catalog recognizes it) of the 90 days to asOf against the 90 days before.</summary>
/// <param name="From">First day of the last 90 days.</param>
/// <param name="To">asOf.</param>
/// <param name="Revenue">Revenue recognized from..to.</param>
/// <param name="PreviousFrom">First day of the 90 days before.</param>
/// <param name="PreviousTo">The day before from.</param>
/// <param name="PreviousRevenue">Revenue recognized previousFrom..previousTo.</param>
/// <param name="ChangePercent">(revenue − previousRevenue) / previousRevenue × 100, 2 decimals; null when previousRevenue is 0.</param>
/// <param name="Reason">no-previous-revenue when changePercent is null.</param>
public sealed record RevenueTrend(DateOnly From, DateOnly To, decimal Revenue, DateOnly PreviousFrom, DateOnly PreviousTo, decimal PreviousRevenue,
    decimal? ChangePercent, string? Reason);

/// <summary>One survey answer.</summary>
public sealed record RoleAnswer(string Kind, int Score, DateOnly RespondedOn);

/// <summary>A score over a role's answers of the 365 days to asOf.</summary>
/// <param name="Value">NPS (−100..100) or CSAT (0–100 %), 2 decimals; null without answers.</param>
/// <param name="Answers">How many answers it is over.</param>
/// <param name="Reason">no-answers when value is null.</param>
public sealed record RoleScore(decimal? Value, int Answers, string? Reason);

/// <summary>What one DMU role of the client said.</summary>
/// <param name="Role">economic-buyer, technical-buyer, user, gatekeeper or other.</param>
/// <param name="LastAnsweredOn">Its latest answer's day (up to asOf).</param>
/// <param name="LatestAnswers">Its latest answer of each kind (nps, csat, ces), ever up to asOf.</param>
/// <param name="Nps">NPS over its nps answers of the 365 days to asOf.</param>
/// <param name="Csat">CSAT over its csat answers of the 365 days to asOf.</param>
public sealed record RoleHealth(string Role, DateOnly LastAnsweredOn, IReadOnlyList<RoleAnswer> LatestAnswers, RoleScore Nps, RoleScore Csat);

/// <summary>One client's relationship health on asOf.</summary>
/// <param name="ClientId">The client.</param>
/// <param name="Name">Its name.</param>
/// <param name="AsOf">The day looked from.</param>
/// <param name="Active">Whether the client is active on asOf (acquiredOn ≤ asOf and no churnedOn on or before it).</param>
/// <param name="Currency">The tenant's currency, of every amount.</param>
/// <param name="ActiveContracts">Contracts signed by asOf with startsOn ≤ asOf ≤ endsOn, by endsOn.</param>
/// <param name="ActiveContractValue">Σ value of the active contracts.</param>
/// <param name="Arr">ARR on asOf as the catalog defines it: Σ daily rate × 365 over the active contracts (2 decimals).</param>
/// <param name="NextContractEnd">The earliest endsOn on or after asOf among the active contracts; null without one.</param>
/// <param name="DaysToNextContractEnd">nextContractEnd − asOf.</param>
/// <param name="RevenueTrend">The last 90 days' recognized revenue against the 90 before (contracts signed by asOf).</param>
/// <param name="Roles">Each role that answered up to asOf, DMU order (economic buyer first).</param>
/// <param name="RolesNeverHeardFrom">The DMU roles (economic-buyer, technical-buyer, user, gatekeeper) with no answer up to asOf.</param>
/// <param name="ChurnRisk">The churn-risk result (as GET /v1/clients/{id}/churn-risk).</param>
public sealed record ClientHealthResponse(
    Guid ClientId, string Name, DateOnly AsOf, bool Active, string Currency, IReadOnlyList<HealthContract> ActiveContracts,
    decimal ActiveContractValue, decimal Arr, DateOnly? NextContractEnd, int? DaysToNextContractEnd, RevenueTrend RevenueTrend,
    IReadOnlyList<RoleHealth> Roles, IReadOnlyList<string> RolesNeverHeardFrom, ChurnRiskResponse ChurnRisk);

/// <summary>GET /v1/clients/{id}/health: contracts, revenue trend, each DMU role's voice and the churn risk of one client.</summary>
public sealed class GetClientHealth(KpiDbContext db, ChurnRiskService service, TenantContext tenant, TimeProvider clock)
    : Endpoint<AsOfQuery, Results<Ok<ClientHealthResponse>, ProblemHttpResult>>
{
    private const int TrendDays = 90;

    public override void Configure()
    {
        Get("clients/{id:guid}/health");
        Group<TenantApi>();
        RequestBinder(new RequestBinder<AsOfQuery>(BindingSource.QueryParams));
        Description(b => b.TenantOperation(new Action<Guid, AsOfQuery>(Signature))
            .WithTags("ChurnRisk").WithName(nameof(GetClientHealth))
            .WithSummary("A client's relationship health")
            .WithDescription("For one client on asOf (records dated after it are ignored: a contract from its signedOn, an answer from its respondedOn): the contracts running and their value, ARR, the next contract end, the recognized " +
                             "revenue of the last 90 days against the 90 before, each buying-committee (DMU) role's latest answers with its " +
                             "NPS and CSAT over the last 365 days, the DMU roles never heard from, and the churn risk. Another tenant's id answers 404.")
            .Produces<ClientHealthResponse>()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesValidationProblem());
    }

    private static void Signature(Guid id, [AsParameters] AsOfQuery query) { }

    public override async Task<Results<Ok<ClientHealthResponse>, ProblemHttpResult>> ExecuteAsync(AsOfQuery query, CancellationToken ct)
    {
        var id = Route<Guid>("id");
        var asOf = query.Day(clock);
        var client = await db.Clients.AsNoTracking().FirstOrDefaultAsync(c => c.Id == id, ct);
        if (client is null)
            return Problems.NotFound("client");
        // asOf ignores every record dated after it: a contract counts from its signedOn, an answer from its respondedOn.
        var contracts = await db.Contracts.AsNoTracking().Where(c => c.ClientId == id && c.SignedOn <= asOf).ToListAsync(ct);
        var answers = await db.Surveys.AsNoTracking().Where(s => s.ClientId == id && s.RespondedOn <= asOf).ToListAsync(ct);

        var active = contracts.Where(c => c.StartsOn <= asOf && asOf <= c.EndsOn).OrderBy(c => c.EndsOn).ThenBy(c => c.Id).ToList();
        var activeValue = active.Sum(c => c.ValueMinor) / 100m;
        var arr = Math.Round(active.Sum(c => c.ValueMinor / 100m / Days(c.StartsOn, c.EndsOn) * 365m), 2, MidpointRounding.AwayFromZero);

        var from = asOf.AddDays(-TrendDays + 1);
        var previousFrom = from.AddDays(-TrendDays);
        var revenue = Revenue(contracts, from, asOf);
        var previous = Revenue(contracts, previousFrom, from.AddDays(-1));
        var trend = new RevenueTrend(from, asOf, revenue, previousFrom, from.AddDays(-1), previous,
            previous == 0 ? null : Math.Round((revenue - previous) / previous * 100m, 2, MidpointRounding.AwayFromZero),
            previous == 0 ? "no-previous-revenue" : null);

        var since = asOf.AddDays(-ChurnFeatures.RecentDays);
        var roles = Enum.GetValues<RespondentRole>()
            .Select(role => (role, answers: answers.Where(a => a.RespondentRole == role).ToList()))
            .Where(x => x.answers.Count > 0)
            .Select(x => new RoleHealth(Wire(x.role), x.answers.Max(a => a.RespondedOn),
                x.answers.GroupBy(a => a.Kind).OrderBy(g => g.Key)
                    .Select(g => g.OrderBy(a => a.RespondedOn).ThenBy(a => a.Id).Last())
                    .Select(a => new RoleAnswer(Wire(a.Kind), a.Score, a.RespondedOn)).ToList(),
                Nps(x.answers.Where(a => a.Kind == SurveyKind.Nps && a.RespondedOn > since).Select(a => a.Score).ToList()),
                Csat(x.answers.Where(a => a.Kind == SurveyKind.Csat && a.RespondedOn > since).Select(a => a.Score).ToList())))
            .ToList();
        var neverHeard = ChurnFeatures.DmuRoles.Where(r => answers.All(a => a.RespondentRole != r)).Select(Wire).ToList();

        var history = new ClientHistory(new ChurnClient(client.Id, client.Name, client.AcquiredOn, client.ChurnedOn),
            contracts.Select(c => new ChurnContract(c.ClientId, c.SignedOn, c.StartsOn, c.EndsOn, c.ValueMinor)).ToList(),
            answers.Select(s => new ChurnAnswer(id, s.Kind, s.Score, s.RespondedOn, s.RespondentRole)).ToList());
        var risk = ChurnRiskService.Result(history, asOf, await service.ScorerAsync(ct));
        var nextEnd = risk.NextContractEnd;

        return TypedResults.Ok(new ClientHealthResponse(client.Id, client.Name, asOf, history.Client.IsActiveOn(asOf), tenant.Currency,
            active.Select(c => new HealthContract(c.Id, Wire(c.Kind), c.SignedOn, c.StartsOn, c.EndsOn, c.ValueMinor / 100m)).ToList(),
            activeValue, arr, nextEnd, nextEnd is { } end ? end.DayNumber - asOf.DayNumber : null, trend, roles, neverHeard, risk));
    }

    private static decimal Days(DateOnly from, DateOnly to) => to.DayNumber - from.DayNumber + 1;

    /// <summary>Revenue recognized from..to (inclusive), evenly per day over each contract's term, rounded to the cent at the end.</summary>
    internal static decimal Revenue(IEnumerable<Contract> contracts, DateOnly from, DateOnly to)
    {
        var total = 0m;
        foreach (var c in contracts)
        {
            var start = c.StartsOn > from ? c.StartsOn : from;
            var end = c.EndsOn < to ? c.EndsOn : to;
            if (end < start)
                continue;
            total += c.ValueMinor / 100m * Days(start, end) / Days(c.StartsOn, c.EndsOn);
        }
        return Math.Round(total, 2, MidpointRounding.AwayFromZero);
    }

    private static RoleScore Nps(List<int> scores) => scores.Count == 0 ? new(null, 0, "no-answers")
        : new(Math.Round((scores.Count(s => s >= 9) - scores.Count(s => s <= 6)) * 100m / scores.Count, 2, MidpointRounding.AwayFromZero), scores.Count, null);

    private static RoleScore Csat(List<int> scores) => scores.Count == 0 ? new(null, 0, "no-answers")
        : new(Math.Round(scores.Count(s => s >= 4) * 100m / scores.Count, 2, MidpointRounding.AwayFromZero), scores.Count, null);

    private static string Wire<T>(T value) where T : struct, Enum => JsonNamingPolicy.KebabCaseLower.ConvertName(value.ToString());
}
