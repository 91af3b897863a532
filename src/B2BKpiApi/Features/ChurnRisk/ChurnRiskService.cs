using System.Buffers.Binary;
using System.Buffers.Text;
using System.Text.Json;
using B2BKpiApi.Data;
using B2BKpiApi.Caching;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Caching.Hybrid;
using Microsoft.Extensions.Options;

namespace B2BKpiApi.Features.ChurnRisk;

/// <summary>One factor of a churn result, in numbers and in words.</summary>
/// <param name="Factor">days-to-contract-end, contract-value-change, economic-buyer-nps, dmu-detractors, roles-gone-silent or survey-trend.</param>
/// <param name="Value">The factor's value for the client on asOf (2 decimals), in <c>unit</c>.</param>
/// <param name="Unit">days, percent, score, count or points.</param>
/// <param name="Contribution">What the factor adds to the log-odds of churning (4 decimals): positive raises the risk.</param>
/// <param name="Description">The factor in words.</param>
public sealed record ChurnFactorResponse(string Factor, decimal Value, string Unit, decimal Contribution, string Description);

/// <summary>The trained model a result came from.</summary>
/// <param name="TrainedAt">When it was trained.</param>
/// <param name="DataVersion">The tenant's data version it read.</param>
/// <param name="AsOf">The day the training stood on.</param>
public sealed record ChurnModelReference(DateTime TrainedAt, long DataVersion, DateOnly AsOf);

/// <summary>A client's probability of churning within the next 90 days, with the factors that moved it.</summary>
/// <param name="ClientId">The client.</param>
/// <param name="ClientName">Its name.</param>
/// <param name="AsOf">The day the features were computed for (records dated after it are ignored).</param>
/// <param name="HorizonDays">90: the probability is of churning (churnedOn) within this many days after asOf.</param>
/// <param name="Probability">0–1, 4 decimals; null when the client is not active on asOf (see reason).</param>
/// <param name="Reason">Why probability is null (client-not-active), else null.</param>
/// <param name="NextContractEnd">The earliest endsOn among the client's contracts signed by asOf that run on asOf (as on GET /v1/clients/{id}/health); null when none runs.</param>
/// <param name="DaysToNextContractEnd">nextContractEnd − asOf; null with nextContractEnd.</param>
/// <param name="Method">logistic-regression (the tenant's trained model) or rules (the documented rules score).</param>
/// <param name="MethodReason">Why rules: fewer-than-20-churn-events, training-window-has-one-outcome-only or model-not-trained-yet; null for the model.</param>
/// <param name="Model">The trained model used; null for rules.</param>
/// <param name="Intercept">The log-odds before any factor (4 decimals); intercept + Σ contribution = logit(probability).</param>
/// <param name="Factors">Every factor, the largest contribution (either sign) first; empty when the client is not active.</param>
public sealed record ChurnRiskResponse(
    Guid ClientId, string ClientName, DateOnly AsOf, int HorizonDays, decimal? Probability, string? Reason,
    DateOnly? NextContractEnd, int? DaysToNextContractEnd, string Method,
    string? MethodReason, ChurnModelReference? Model, decimal? Intercept, IReadOnlyList<ChurnFactorResponse> Factors);

/// <summary>The stored model or the rules, as a tenant's requests see it.</summary>
public sealed record ChurnScorer(string Method, string? MethodReason, LogisticParameters? Parameters, ChurnModelReference? Model)
{
    /// <summary>Tells scorers apart: the trained model by its training, the rules by their reason.</summary>
    public string Identity => Model is { } m
        ? string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{Method}@{m.TrainedAt.Ticks}.{m.DataVersion}")
        : $"{Method}:{MethodReason}";

    public ChurnScore Score(ChurnFeatureVector features) =>
        Parameters is null ? ChurnRules.Score(features) : Parameters.Score(features);

    /// <summary><see cref="Score"/>'s probability, without building the factors where it can (ranking every client).</summary>
    public double Probability(ChurnFeatureVector features) =>
        Parameters is null ? ChurnRules.Score(features).Probability : Parameters.Probability(features);
}

/// <summary>
/// Reads a tenant's records for the churn features and scores its clients with its stored model (or the rules). Reads
/// only: training happens in <see cref="ChurnModelWorker"/>, never on a request.
/// </summary>
public sealed class ChurnRiskService(KpiDbContext db, TenantContext tenant, HybridCache cache, IOptions<KpiCacheOptions> cacheOptions)
{
    /// <summary>The code that ranks: rankings of another build sharing Redis are never read.</summary>
    private static readonly Guid Build = typeof(ChurnRiskService).Assembly.ManifestModule.ModuleVersionId;

    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>The tenant's scorer: its trained logistic regression, else the rules with the reason.</summary>
    public async Task<ChurnScorer> ScorerAsync(CancellationToken ct)
    {
        var model = await db.ChurnModels.AsNoTracking().FirstOrDefaultAsync(ct);
        if (model is not { Method: not null, TrainedAt: { } trainedAt, DataVersion: { } version, AsOf: { } asOf })
            return new ChurnScorer(ChurnMethods.Rules, "model-not-trained-yet", null, null);
        if (model.Method == ChurnMethods.LogisticRegression && model.Parameters is not null)
            return new ChurnScorer(model.Method, null, JsonSerializer.Deserialize<LogisticParameters>(model.Parameters, Json),
                new ChurnModelReference(trainedAt, version, asOf));
        return new ChurnScorer(ChurnMethods.Rules, model.MethodReason, null, null);
    }

    /// <summary>
    /// The histories the features of <paramref name="asOf"/> need: the clients (all, or one), their contracts signed by
    /// asOf and their answers of the 365 days to asOf. Null <paramref name="asOf"/>: everything (for training).
    /// </summary>
    public Task<IReadOnlyList<ClientHistory>> HistoriesAsync(DateOnly? asOf, Guid? clientId, bool activeOnly, CancellationToken ct) =>
        HistoriesOnAsync(asOf, clientId is { } id ? [id] : null, activeOnly, ct);

    /// <summary>As above, for the clients <paramref name="clientIds"/> (all when null).</summary>
    private async Task<IReadOnlyList<ClientHistory>> HistoriesOnAsync(DateOnly? asOf, IReadOnlyCollection<Guid>? clientIds, bool activeOnly, CancellationToken ct)
    {
        var clients = db.Clients.AsNoTracking();
        if (clientIds is { Count: 1 } one)
        {
            var id = one.First();
            clients = clients.Where(c => c.Id == id);
        }
        else if (clientIds is not null)
            clients = clients.Where(c => clientIds.Contains(c.Id));
        if (activeOnly && asOf is { } day)
            clients = clients.Where(c => c.AcquiredOn <= day && (c.ChurnedOn == null || c.ChurnedOn > day));
        var clientRows = await clients.Select(c => new ChurnClient(c.Id, c.Name, c.AcquiredOn, c.ChurnedOn)).ToListAsync(ct);

        var contracts = db.Contracts.AsNoTracking();
        var answers = db.Surveys.AsNoTracking().Where(s => s.ClientId != null);
        if (clientIds is { Count: 1 } single)
        {
            var only = single.First();
            contracts = contracts.Where(c => c.ClientId == only);
            answers = answers.Where(s => s.ClientId == only);
        }
        else if (clientIds is not null)
        {
            contracts = contracts.Where(c => clientIds.Contains(c.ClientId));
            answers = answers.Where(s => clientIds.Contains(s.ClientId!.Value));
        }
        if (asOf is { } until)
        {
            var since = until.AddDays(-ChurnFeatures.RecentDays);
            contracts = contracts.Where(c => c.SignedOn <= until);
            answers = answers.Where(s => s.RespondedOn <= until && s.RespondedOn > since);
        }
        var contractRows = await contracts.Select(c => new ChurnContract(c.ClientId, c.SignedOn, c.StartsOn, c.EndsOn, c.ValueMinor)).ToListAsync(ct);
        var answerRows = await answers.Select(s => new ChurnAnswer(s.ClientId!.Value, s.Kind, s.Score, s.RespondedOn, s.RespondentRole)).ToListAsync(ct);
        return ClientHistory.Group(clientRows, contractRows, answerRows);
    }

    /// <summary>The whole histories (for training) of the given clients of the tenant.</summary>
    public async Task<IReadOnlyList<ClientHistory>> HistoriesOfAsync(IReadOnlyCollection<Guid> clientIds, CancellationToken ct)
    {
        var clientRows = await db.Clients.AsNoTracking().Where(c => clientIds.Contains(c.Id))
            .Select(c => new ChurnClient(c.Id, c.Name, c.AcquiredOn, c.ChurnedOn)).ToListAsync(ct);
        var contractRows = await db.Contracts.AsNoTracking().Where(c => clientIds.Contains(c.ClientId))
            .Select(c => new ChurnContract(c.ClientId, c.SignedOn, c.StartsOn, c.EndsOn, c.ValueMinor)).ToListAsync(ct);
        var answerRows = await db.Surveys.AsNoTracking().Where(s => s.ClientId != null && clientIds.Contains(s.ClientId.Value))
            .Select(s => new ChurnAnswer(s.ClientId!.Value, s.Kind, s.Score, s.RespondedOn, s.RespondentRole)).ToListAsync(ct);
        return ClientHistory.Group(clientRows, contractRows, answerRows);
    }

    /// <summary>
    /// The clients active on <paramref name="asOf"/>, ranked by probability (highest first) then id, the first
    /// <paramref name="count"/> strictly after <paramref name="after"/> (a cursor's probability and id), each with its
    /// full result. The ranking itself (every active client scored) is computed once per tenant data version, scorer
    /// and asOf and kept in the cache (memory, and Redis when configured), so the next pages and the next reads only
    /// load and explain the clients they return. The token is checked between clients (the compute budget).
    /// </summary>
    public async Task<List<ChurnRiskResponse>> RankedAsync(DateOnly asOf, (decimal Probability, Guid Id)? after, int count, CancellationToken ct)
    {
        var scorer = await ScorerAsync(ct);
        var ranking = await RankingAsync(asOf, scorer, ct);
        var start = after is { } cursor ? ranking.IndexAfter(cursor.Probability, cursor.Id) : 0;
        return await ResultsAsync(asOf, ranking.Ids.Skip(start).Take(count).ToList(), scorer, ct);
    }

    /// <summary>The full results on asOf of the given clients, in the given order.</summary>
    public async Task<List<ChurnRiskResponse>> ResultsAsync(DateOnly asOf, IReadOnlyList<Guid> ids, ChurnScorer scorer, CancellationToken ct)
    {
        if (ids.Count == 0)
            return [];
        var histories = (await HistoriesOnAsync(asOf, ids, activeOnly: true, ct)).ToDictionary(h => h.Client.Id);
        // A client the ranking holds but the read no longer finds was removed by a write the ranking's data version
        // did not know yet; it is left out (the next read ranks under the new version).
        return ids.Where(histories.ContainsKey).Select(id => Result(histories[id], asOf, scorer)).ToList();
    }

    /// <summary>
    /// Every client active on asOf scored by <paramref name="scorer"/>, riskiest first: computed once per tenant data
    /// version, scorer and asOf, then kept in the cache (unless it is larger than <c>Cache:MaxEntryBytes</c>).
    /// </summary>
    public async Task<RiskRanking> RankingAsync(DateOnly asOf, ChurnScorer scorer, CancellationToken ct)
    {
        if (!cacheOptions.Value.Enabled)
            return await ComputeRankingAsync(asOf, scorer, ct);
        var key = string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"churn-rank:{Build:N}:{tenant.TenantId:N}:{tenant.DataVersion}:{scorer.Identity}:{asOf:yyyyMMdd}");
        var bytes = await cache.GetOrComputeAsync(key, async c => (await ComputeRankingAsync(asOf, scorer, c)).ToBytes(), ct);
        return RiskRanking.FromBytes(bytes);
    }

    /// <summary>Scores every client active on asOf (probability only, rounded as the results round it).</summary>
    private async Task<RiskRanking> ComputeRankingAsync(DateOnly asOf, ChurnScorer scorer, CancellationToken ct)
    {
        var histories = await HistoriesOnAsync(asOf, null, activeOnly: true, ct);
        var ranked = new List<(int Scaled, Guid Id)>(histories.Count);
        for (var i = 0; i < histories.Count; i++)
        {
            if ((i & 1023) == 0)
                ct.ThrowIfCancellationRequested();
            var history = histories[i];
            if (history.Client.IsActiveOn(asOf))
                ranked.Add(((int)(R(scorer.Probability(ChurnFeatures.Extract(history, asOf)), 4) * 10_000m), history.Client.Id));
        }
        ranked.Sort(static (a, b) => a.Scaled != b.Scaled ? b.Scaled.CompareTo(a.Scaled) : a.Id.CompareTo(b.Id));
        return new RiskRanking(ranked.Select(r => r.Scaled).ToArray(), ranked.Select(r => r.Id).ToArray());
    }

    /// <summary>A client's result on asOf with the given scorer.</summary>
    public static ChurnRiskResponse Result(ClientHistory history, DateOnly asOf, ChurnScorer scorer)
    {
        var client = history.Client;
        var nextEnd = history.NextContractEnd(asOf);
        int? daysToEnd = nextEnd is { } end ? end.DayNumber - asOf.DayNumber : null;
        if (!client.IsActiveOn(asOf))
            return new ChurnRiskResponse(client.Id, client.Name, asOf, ChurnModelSettings.HorizonDays, null, "client-not-active", nextEnd, daysToEnd, scorer.Method,
                scorer.MethodReason, scorer.Model, null, []);
        var features = ChurnFeatures.Extract(history, asOf);
        var score = scorer.Score(features);
        var factors = score.Factors
            .OrderByDescending(f => Math.Abs(f.Contribution)).ThenBy(f => ChurnFactors.All.ToList().IndexOf(f.Factor))
            .Select(f => new ChurnFactorResponse(f.Factor, R(f.Value, 2), ChurnFactors.UnitOf(f.Factor), R(f.Contribution, 4),
                ChurnWords.Describe(f.Factor, f.Value, f.Contribution, features.EconomicBuyerHeard)))
            .ToList();
        return new ChurnRiskResponse(client.Id, client.Name, asOf, ChurnModelSettings.HorizonDays, R(score.Probability, 4), null, nextEnd, daysToEnd, scorer.Method,
            scorer.MethodReason, scorer.Model, R(score.Intercept, 4), factors);
    }

    private static decimal R(double value, int decimals) => Math.Round((decimal)value, decimals, MidpointRounding.AwayFromZero);
}

/// <summary>
/// The cursor of the ranked list: the last item's probability (in ten-thousandths) and id, so that a page starts
/// strictly after it in the order probability descending, id ascending.
/// </summary>
public static class RiskCursor
{
    public static string Encode(decimal probability, Guid id)
    {
        Span<byte> bytes = stackalloc byte[20];
        BinaryPrimitives.WriteInt32BigEndian(bytes, (int)(probability * 10_000m));
        id.TryWriteBytes(bytes[4..]);
        return Base64Url.EncodeToString(bytes);
    }

    public static bool TryDecode(string? cursor, out decimal probability, out Guid id)
    {
        probability = 0;
        id = Guid.Empty;
        if (string.IsNullOrEmpty(cursor) || cursor.Length != 27)
            return false;
        Span<byte> bytes = stackalloc byte[20];
        if (Base64Url.DecodeFromChars(cursor, bytes, out _, out var written) != System.Buffers.OperationStatus.Done || written != 20)
            return false;
        var scaled = BinaryPrimitives.ReadInt32BigEndian(bytes);
        if (scaled is < 0 or > 10_000)
            return false;
        probability = scaled / 10_000m;
        id = new Guid(bytes[4..]);
        return true;
    }
}

/// <summary>
/// A tenant's clients active on one day, riskiest first: probabilities in ten-thousandths (as the results round them)
/// descending, then ids ascending (<see cref="Guid.CompareTo(Guid)"/>). Kept in the cache as 20 bytes per client.
/// </summary>
public sealed class RiskRanking(int[] scaled, Guid[] ids)
{
    public IReadOnlyList<Guid> Ids => ids;

    /// <summary>How many clients are ranked (every client active on the day).</summary>
    public int Count => ids.Length;

    /// <summary>How many clients have a probability of at least <paramref name="threshold"/> (at most 4 decimals).</summary>
    public int CountAtLeast(decimal threshold)
    {
        var s = (int)Math.Ceiling(threshold * 10_000m);
        int lo = 0, hi = scaled.Length;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (scaled[mid] >= s)
                lo = mid + 1;
            else
                hi = mid;
        }
        return lo;
    }

    /// <summary>The index of the first client strictly after (probability, id) in the ranking's order.</summary>
    public int IndexAfter(decimal probability, Guid id)
    {
        var s = (int)(probability * 10_000m);
        int lo = 0, hi = ids.Length;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            var after = scaled[mid] < s || (scaled[mid] == s && ids[mid].CompareTo(id) > 0);
            if (after)
                hi = mid;
            else
                lo = mid + 1;
        }
        return lo;
    }

    public byte[] ToBytes()
    {
        var bytes = new byte[ids.Length * 20];
        for (var i = 0; i < ids.Length; i++)
        {
            BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(i * 20), scaled[i]);
            ids[i].TryWriteBytes(bytes.AsSpan(i * 20 + 4, 16));
        }
        return bytes;
    }

    public static RiskRanking FromBytes(byte[] bytes)
    {
        var n = bytes.Length / 20;
        var scaled = new int[n];
        var ids = new Guid[n];
        for (var i = 0; i < n; i++)
        {
            scaled[i] = BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(i * 20));
            ids[i] = new Guid(bytes.AsSpan(i * 20 + 4, 16));
        }
        return new RiskRanking(scaled, ids);
    }
}
