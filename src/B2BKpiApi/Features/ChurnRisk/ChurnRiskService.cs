using System.Buffers.Binary;
using System.Buffers.Text;
using System.Text.Json;
using B2BKpiApi.Data;
using Microsoft.EntityFrameworkCore;

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
/// <param name="Method">logistic-regression (the tenant's trained model) or rules (the documented rules score).</param>
/// <param name="MethodReason">Why rules: fewer-than-20-churn-events, training-window-has-one-outcome-only or model-not-trained-yet; null for the model.</param>
/// <param name="Model">The trained model used; null for rules.</param>
/// <param name="Intercept">The log-odds before any factor (4 decimals); intercept + Σ contribution = logit(probability).</param>
/// <param name="Factors">Every factor, the largest contribution (either sign) first; empty when the client is not active.</param>
public sealed record ChurnRiskResponse(
    Guid ClientId, string ClientName, DateOnly AsOf, int HorizonDays, decimal? Probability, string? Reason, string Method,
    string? MethodReason, ChurnModelReference? Model, decimal? Intercept, IReadOnlyList<ChurnFactorResponse> Factors);

/// <summary>The stored model or the rules, as a tenant's requests see it.</summary>
public sealed record ChurnScorer(string Method, string? MethodReason, LogisticParameters? Parameters, ChurnModelReference? Model)
{
    public ChurnScore Score(ChurnFeatureVector features) =>
        Parameters is null ? ChurnRules.Score(features) : Parameters.Score(features);
}

/// <summary>
/// Reads a tenant's records for the churn features and scores its clients with its stored model (or the rules). Reads
/// only: training happens in <see cref="ChurnModelWorker"/>, never on a request.
/// </summary>
public sealed class ChurnRiskService(KpiDbContext db)
{
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
    public async Task<IReadOnlyList<ClientHistory>> HistoriesAsync(DateOnly? asOf, Guid? clientId, bool activeOnly, CancellationToken ct)
    {
        var clients = db.Clients.AsNoTracking();
        if (clientId is { } id)
            clients = clients.Where(c => c.Id == id);
        if (activeOnly && asOf is { } day)
            clients = clients.Where(c => c.AcquiredOn <= day && (c.ChurnedOn == null || c.ChurnedOn > day));
        var clientRows = await clients.Select(c => new ChurnClient(c.Id, c.Name, c.AcquiredOn, c.ChurnedOn)).ToListAsync(ct);

        var contracts = db.Contracts.AsNoTracking();
        var answers = db.Surveys.AsNoTracking().Where(s => s.ClientId != null);
        if (clientId is { } only)
        {
            contracts = contracts.Where(c => c.ClientId == only);
            answers = answers.Where(s => s.ClientId == only);
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

    /// <summary>A client's result on asOf with the given scorer.</summary>
    public static ChurnRiskResponse Result(ClientHistory history, DateOnly asOf, ChurnScorer scorer)
    {
        var client = history.Client;
        if (!client.IsActiveOn(asOf))
            return new ChurnRiskResponse(client.Id, client.Name, asOf, ChurnModelSettings.HorizonDays, null, "client-not-active", scorer.Method,
                scorer.MethodReason, scorer.Model, null, []);
        var features = ChurnFeatures.Extract(history, asOf);
        var score = scorer.Score(features);
        var factors = score.Factors
            .OrderByDescending(f => Math.Abs(f.Contribution)).ThenBy(f => ChurnFactors.All.ToList().IndexOf(f.Factor))
            .Select(f => new ChurnFactorResponse(f.Factor, R(f.Value, 2), ChurnFactors.UnitOf(f.Factor), R(f.Contribution, 4),
                ChurnWords.Describe(f.Factor, f.Value, f.Contribution, features.EconomicBuyerHeard)))
            .ToList();
        return new ChurnRiskResponse(client.Id, client.Name, asOf, ChurnModelSettings.HorizonDays, R(score.Probability, 4), null, scorer.Method,
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
