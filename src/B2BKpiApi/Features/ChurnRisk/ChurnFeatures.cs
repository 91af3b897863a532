using B2BKpiApi.Data;

namespace B2BKpiApi.Features.ChurnRisk;

/// <summary>A client as the churn features see it.</summary>
public sealed record ChurnClient(Guid Id, string Name, DateOnly AcquiredOn, DateOnly? ChurnedOn)
{
    /// <summary>Active on day d as the KPI catalog defines it: acquiredOn ≤ d and (churnedOn null or churnedOn &gt; d).</summary>
    public bool IsActiveOn(DateOnly day) => AcquiredOn <= day && (ChurnedOn is null || ChurnedOn > day);

    /// <summary>
    /// The label of a training example: the client, active on the cut-off, churned (churnedOn, as the catalog
    /// counts lost clients) within the <paramref name="horizonDays"/> days after it.
    /// </summary>
    public bool ChurnsWithin(DateOnly cutoff, int horizonDays) =>
        ChurnedOn is { } churned && churned > cutoff && churned <= cutoff.AddDays(horizonDays);
}

/// <summary>A contract as the churn features see it (money in minor units).</summary>
public sealed record ChurnContract(Guid ClientId, DateOnly SignedOn, DateOnly StartsOn, DateOnly EndsOn, long ValueMinor);

/// <summary>One survey answer of a client's respondent.</summary>
public sealed record ChurnAnswer(Guid ClientId, SurveyKind Kind, int Score, DateOnly RespondedOn, RespondentRole? Role);

/// <summary>Everything recorded about one client, in any order.</summary>
public sealed record ClientHistory(ChurnClient Client, IReadOnlyList<ChurnContract> Contracts, IReadOnlyList<ChurnAnswer> Answers)
{
    /// <summary>
    /// The earliest <c>endsOn</c> among the contracts signed on or before <paramref name="asOf"/> that run on it
    /// (startsOn ≤ asOf ≤ endsOn): the next day a contract of the client ends; null when none runs.
    /// </summary>
    public DateOnly? NextContractEnd(DateOnly asOf)
    {
        DateOnly? next = null;
        foreach (var c in Contracts)
            if (c.SignedOn <= asOf && c.StartsOn <= asOf && asOf <= c.EndsOn && (next is null || c.EndsOn < next))
                next = c.EndsOn;
        return next;
    }

    /// <summary>Groups a tenant's records by client (contracts and answers of unknown clients are dropped).</summary>
    public static IReadOnlyList<ClientHistory> Group(IEnumerable<ChurnClient> clients, IEnumerable<ChurnContract> contracts, IEnumerable<ChurnAnswer> answers)
    {
        var byContract = contracts.ToLookup(c => c.ClientId);
        var byAnswer = answers.ToLookup(a => a.ClientId);
        return clients.Select(c => new ClientHistory(c, byContract[c.Id].ToList(), byAnswer[c.Id].ToList())).ToList();
    }
}

/// <summary>The factors of the churn score, in the order of <see cref="ChurnFeatureVector.Values"/>.</summary>
public static class ChurnFactors
{
    public const string DaysToContractEnd = "days-to-contract-end";
    public const string ContractValueChange = "contract-value-change";
    public const string EconomicBuyerNps = "economic-buyer-nps";
    public const string DmuDetractors = "dmu-detractors";
    public const string RolesGoneSilent = "roles-gone-silent";
    public const string SurveyTrend = "survey-trend";

    public static readonly IReadOnlyList<string> All =
        [DaysToContractEnd, ContractValueChange, EconomicBuyerNps, DmuDetractors, RolesGoneSilent, SurveyTrend];

    /// <summary>
    /// The direction in which a factor can move the risk in a served model: +1 where a higher value may only raise it
    /// (detractors, roles gone silent), −1 where a higher value may only lower it (days to the contract end, contract
    /// value change, the economic buyer's score, the survey trend). The rules score follows the same directions.
    /// </summary>
    public static int RiskDirection(string factor) => factor switch
    {
        DmuDetractors or RolesGoneSilent => 1,
        DaysToContractEnd or ContractValueChange or EconomicBuyerNps or SurveyTrend => -1,
        _ => throw new ArgumentOutOfRangeException(nameof(factor), factor, null),
    };

    public static string UnitOf(string factor) => factor switch
    {
        DaysToContractEnd => "days",
        ContractValueChange => "percent",
        EconomicBuyerNps => "score",
        DmuDetractors or RolesGoneSilent => "count",
        SurveyTrend => "points",
        _ => throw new ArgumentOutOfRangeException(nameof(factor), factor, null),
    };
}

/// <summary>
/// The six features of one client on one day, and what was missing. <see cref="Values"/> follows
/// <see cref="ChurnFactors.All"/>; a missing input has a neutral value (stated in <see cref="ChurnFeatures"/>).
/// </summary>
public sealed record ChurnFeatureVector(double[] Values, bool EconomicBuyerHeard, bool HasContract);

/// <summary>
/// The churn features: pure functions of the records dated on or before the day they are computed for.
/// A record's date is the day it became known: a contract's <c>signedOn</c>, an answer's <c>respondedOn</c>;
/// anything dated after <c>asOf</c> is ignored, so a feature at a past cut-off is what could have been known then.
/// </summary>
public static class ChurnFeatures
{
    /// <summary>Answers older than this are not "latest" any more.</summary>
    public const int RecentDays = 365;

    /// <summary>Half of <see cref="RecentDays"/>: a role silent for it after answering before is "gone silent".</summary>
    public const int SilenceDays = 180;

    /// <summary>Days to the contract end are capped here: for a 90-day horizon, half a year or more is as safe as it gets.</summary>
    public const int MaxDaysToEnd = 180;

    /// <summary>The score an unheard economic buyer is given: 7, a passive, neither promoter nor detractor.</summary>
    public const int NeutralNpsScore = 7;

    /// <summary>The DMU roles that count (the role <c>other</c> does not).</summary>
    public static readonly IReadOnlyList<RespondentRole> DmuRoles =
        [RespondentRole.EconomicBuyer, RespondentRole.TechnicalBuyer, RespondentRole.User, RespondentRole.Gatekeeper];

    /// <summary>
    /// The features of <paramref name="history"/>'s client at the end of <paramref name="asOf"/>:
    /// <list type="bullet">
    /// <item>days-to-contract-end: the latest <c>endsOn</c> among contracts signed by asOf that have not ended (endsOn ≥ asOf), minus asOf; 0 without one; capped at 180;</item>
    /// <item>contract-value-change: the daily rate (value / days of term) of the latest contract signed by asOf (by startsOn) against the one before it, in percent; 0 with fewer than two; clipped to −100..200;</item>
    /// <item>economic-buyer-nps: the latest NPS score (0–10) of an economic buyer in the 365 days to asOf; 7 (passive) when none;</item>
    /// <item>dmu-detractors: the DMU roles (not <c>other</c>) whose latest NPS answer in the 365 days to asOf is 0–6;</item>
    /// <item>roles-gone-silent: the DMU roles that answered in the 180 days before the last 180 and not in the last 180;</item>
    /// <item>survey-trend: the mean NPS score of the client's answers in the last 180 days minus the mean in the 180 before; 0 when either is empty.</item>
    /// </list>
    /// </summary>
    public static ChurnFeatureVector Extract(ClientHistory history, DateOnly asOf)
    {
        // One pass over each list (a ranking extracts the features of every active client). Ties are broken as a
        // stable sort by date would break them: among records of the same key, the one later in the list counts as
        // the later one (ChurnFeaturesTests and the reference ExtractByQueries below agree on every case).
        var since = asOf.AddDays(-RecentDays);
        var silenceStart = asOf.AddDays(-SilenceDays);

        DateOnly? latestEnd = null;
        ChurnContract? last = null, beforeLast = null;
        foreach (var c in history.Contracts)
        {
            if (c.SignedOn > asOf)
                continue;
            if (c.EndsOn >= asOf && (latestEnd is null || c.EndsOn > latestEnd))
                latestEnd = c.EndsOn;
            if (last is null || ContractOrder(c, last) >= 0)
            {
                beforeLast = last;
                last = c;
            }
            else if (beforeLast is null || ContractOrder(c, beforeLast) >= 0)
                beforeLast = c;
        }
        var daysToEnd = latestEnd is { } end ? Math.Min(MaxDaysToEnd, end.DayNumber - asOf.DayNumber) : 0;
        var valueChange = last is not null && beforeLast is not null
            ? Math.Clamp((DailyRate(last) / DailyRate(beforeLast) - 1.0) * 100.0, -100.0, 200.0)
            : 0.0;

        Span<int> latestNpsScore = stackalloc int[DmuRoleCount];
        Span<int> latestNpsDay = stackalloc int[DmuRoleCount];
        latestNpsDay.Fill(int.MinValue);
        Span<bool> answeredBefore = stackalloc bool[DmuRoleCount];
        Span<bool> answeredRecently = stackalloc bool[DmuRoleCount];
        long recentSum = 0, beforeSum = 0;
        int recentCount = 0, beforeCount = 0;
        foreach (var a in history.Answers)
        {
            if (a.RespondedOn > asOf || a.RespondedOn <= since)
                continue;
            var role = a.Role is { } r && r != RespondentRole.Other ? (int)r : -1;
            var recent = a.RespondedOn > silenceStart;
            if (role >= 0)
            {
                if (recent)
                    answeredRecently[role] = true;
                else
                    answeredBefore[role] = true;
            }
            if (a.Kind != SurveyKind.Nps)
                continue;
            if (role >= 0 && a.RespondedOn.DayNumber >= latestNpsDay[role])
            {
                latestNpsDay[role] = a.RespondedOn.DayNumber;
                latestNpsScore[role] = a.Score;
            }
            if (recent)
            {
                recentSum += a.Score;
                recentCount++;
            }
            else
            {
                beforeSum += a.Score;
                beforeCount++;
            }
        }

        var eb = (int)RespondentRole.EconomicBuyer;
        var ebHeard = latestNpsDay[eb] != int.MinValue;
        var ebScore = ebHeard ? latestNpsScore[eb] : NeutralNpsScore;
        int detractors = 0, silent = 0;
        for (var role = 0; role < DmuRoleCount; role++)
        {
            if (latestNpsDay[role] != int.MinValue && latestNpsScore[role] <= 6)
                detractors++;
            if (answeredBefore[role] && !answeredRecently[role])
                silent++;
        }
        var trend = recentCount > 0 && beforeCount > 0 ? (double)recentSum / recentCount - (double)beforeSum / beforeCount : 0.0;

        return new ChurnFeatureVector([daysToEnd, valueChange, ebScore, detractors, silent, trend], ebHeard, latestEnd is not null);
    }

    /// <summary>The roles of <see cref="DmuRoles"/> are the enum's first four values (0–3); <c>other</c> is not one.</summary>
    private const int DmuRoleCount = 4;

    /// <summary>Contracts in the order "latest" means: by startsOn, then signedOn, then endsOn.</summary>
    private static int ContractOrder(ChurnContract a, ChurnContract b)
    {
        var byStart = a.StartsOn.CompareTo(b.StartsOn);
        if (byStart != 0)
            return byStart;
        var bySigned = a.SignedOn.CompareTo(b.SignedOn);
        return bySigned != 0 ? bySigned : a.EndsOn.CompareTo(b.EndsOn);
    }

    /// <summary>
    /// The same features written as queries over the records, as they were first written: the reference that
    /// <see cref="Extract"/> is tested against.
    /// </summary>
    internal static ChurnFeatureVector ExtractByQueries(ClientHistory history, DateOnly asOf)
    {
        var contracts = history.Contracts.Where(c => c.SignedOn <= asOf).ToList();
        var answers = history.Answers.Where(a => a.RespondedOn <= asOf && a.RespondedOn > asOf.AddDays(-RecentDays)).ToList();

        var running = contracts.Where(c => c.EndsOn >= asOf).ToList();
        var daysToEnd = running.Count == 0 ? 0 : Math.Min(MaxDaysToEnd, running.Max(c => c.EndsOn).DayNumber - asOf.DayNumber);

        var ordered = contracts.OrderBy(c => c.StartsOn).ThenBy(c => c.SignedOn).ThenBy(c => c.EndsOn).ToList();
        var valueChange = 0.0;
        if (ordered.Count >= 2)
        {
            var latest = DailyRate(ordered[^1]);
            var previous = DailyRate(ordered[^2]);
            valueChange = Math.Clamp((latest / previous - 1.0) * 100.0, -100.0, 200.0);
        }

        var nps = answers.Where(a => a.Kind == SurveyKind.Nps).ToList();
        var ebLatest = nps.Where(a => a.Role == RespondentRole.EconomicBuyer).OrderBy(a => a.RespondedOn).LastOrDefault();
        var ebScore = ebLatest?.Score ?? NeutralNpsScore;

        var detractors = DmuRoles.Count(role =>
            nps.Where(a => a.Role == role).OrderBy(a => a.RespondedOn).LastOrDefault() is { Score: <= 6 });

        var silenceStart = asOf.AddDays(-SilenceDays);
        var silent = DmuRoles.Count(role =>
            answers.Any(a => a.Role == role && a.RespondedOn <= silenceStart) && !answers.Any(a => a.Role == role && a.RespondedOn > silenceStart));

        var recent = nps.Where(a => a.RespondedOn > silenceStart).ToList();
        var before = nps.Where(a => a.RespondedOn <= silenceStart).ToList();
        var trend = recent.Count > 0 && before.Count > 0 ? recent.Average(a => a.Score) - before.Average(a => a.Score) : 0.0;

        return new ChurnFeatureVector([daysToEnd, valueChange, ebScore, detractors, silent, trend], ebLatest is not null, running.Count > 0);
    }

    private static double DailyRate(ChurnContract c) => (double)c.ValueMinor / (c.EndsOn.DayNumber - c.StartsOn.DayNumber + 1);
}
