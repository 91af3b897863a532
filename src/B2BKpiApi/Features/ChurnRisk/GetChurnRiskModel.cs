using System.Text.Json;
using B2BKpiApi.Data;
using FastEndpoints;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace B2BKpiApi.Features.ChurnRisk;

/// <summary>A range of cut-off dates, both inclusive.</summary>
public sealed record CutoffWindow(DateOnly From, DateOnly To);

/// <summary>Held-out measures (4 decimals); null when undefined (e.g. no churner in the held-out period).</summary>
/// <param name="RocAuc">ROC AUC: 0.5 is chance, 1 is perfect ranking.</param>
/// <param name="PrecisionAtTop10Percent">The share of churners among the 10 % highest scored examples (rounded up).</param>
/// <param name="BrierScore">Mean squared error of the probabilities (lower is better).</param>
public sealed record BackTestMeasures(decimal? RocAuc, decimal? PrecisionAtTop10Percent, decimal? BrierScore);

/// <summary>One factor's weight in the served logistic regression.</summary>
/// <param name="Factor">The factor.</param>
/// <param name="Weight">Log-odds per standard deviation of the factor; 0 when the factor was left out because the fit
/// pointed it against its documented direction (README "Churn risk").</param>
/// <param name="Mean">The factor's mean over the training examples (0 when left out).</param>
/// <param name="Scale">Its standard deviation (1 when constant or left out).</param>
public sealed record ChurnModelWeight(string Factor, decimal Weight, decimal Mean, decimal Scale);

/// <summary>The tenant's churn model: its method, windows and back-test against the naive baseline.</summary>
/// <param name="Method">logistic-regression or rules.</param>
/// <param name="MethodReason">Why rules; null for the model.</param>
/// <param name="TrainedAt">When the background job last trained (null: not yet).</param>
/// <param name="DataVersion">The tenant's data version that training read.</param>
/// <param name="CurrentDataVersion">The tenant's data version now: when it differs, a retraining is due.</param>
/// <param name="AsOf">The day the training stood on.</param>
/// <param name="ChurnEvents">Clients churned on or before asOf.</param>
/// <param name="MinChurnEvents">20: fewer churn events give the rules score.</param>
/// <param name="HorizonDays">90.</param>
/// <param name="TrainingWindow">The cut-offs the back-tested model was fitted on (their label windows end before the held-out period).</param>
/// <param name="HeldOutWindow">The later cut-offs it was measured on.</param>
/// <param name="ServedWindow">The cut-offs the served model was refitted on (both windows); null for rules.</param>
/// <param name="TrainingExamples">Client-cut-off examples in the training window.</param>
/// <param name="TrainingChurns">Of which churned within 90 days.</param>
/// <param name="HeldOutExamples">Examples in the held-out window.</param>
/// <param name="HeldOutChurns">Of which churned within 90 days.</param>
/// <param name="BackTest">The method's measures on the held-out period (the rules score's, for rules).</param>
/// <param name="Baseline">The naive baseline's: a logistic regression on days to contract end alone, fitted on the same training window.</param>
/// <param name="AucGain">BackTest.rocAuc − baseline.rocAuc.</param>
/// <param name="Weights">The served model's weights; empty for rules.</param>
public sealed record ChurnModelResponse(
    string Method, string? MethodReason, DateTime? TrainedAt, long? DataVersion, long CurrentDataVersion, DateOnly? AsOf, int? ChurnEvents,
    int MinChurnEvents, int HorizonDays, CutoffWindow? TrainingWindow, CutoffWindow? HeldOutWindow, CutoffWindow? ServedWindow,
    int TrainingExamples, int TrainingChurns, int HeldOutExamples, int HeldOutChurns, BackTestMeasures? BackTest, BackTestMeasures? Baseline,
    decimal? AucGain, IReadOnlyList<ChurnModelWeight> Weights);

/// <summary>GET /v1/churn-risk/model: the tenant's model and its back-test.</summary>
public sealed class GetChurnRiskModel(KpiDbContext db, TenantContext tenant) : EndpointWithoutRequest<Ok<ChurnModelResponse>>
{
    public override void Configure()
    {
        Get("churn-risk/model");
        Group<TenantApi>();
        Description(b => b.TenantOperation(new Action(Signature))
            .WithTags("ChurnRisk").WithName(nameof(GetChurnRiskModel))
            .WithSummary("The churn model and its back-test")
            .WithDescription("Which method scores this tenant's clients and why; the training window; and on a held-out later period " +
                             "the ROC AUC, precision at the top 10 % and Brier score of the method and of a naive baseline (days to " +
                             "contract end alone). Trained by a background job whenever the tenant's data changes; before the first " +
                             "training the method is rules with methodReason model-not-trained-yet.")
            .Produces<ChurnModelResponse>());
    }

    private static void Signature() { }

    public override async Task<Ok<ChurnModelResponse>> ExecuteAsync(CancellationToken ct)
    {
        var current = await db.Tenants.AsNoTracking().Where(t => t.Id == tenant.TenantId).Select(t => t.DataVersion).FirstAsync(ct);
        var model = await db.ChurnModels.AsNoTracking().FirstOrDefaultAsync(ct);
        if (model is not { Method: not null, BackTest: not null })
            return TypedResults.Ok(new ChurnModelResponse(ChurnMethods.Rules, "model-not-trained-yet", null, null, current, null, null,
                ChurnModelSettings.MinChurnEvents, ChurnModelSettings.HorizonDays, null, null, null, 0, 0, 0, 0, null, null, null, []));
        var stored = JsonSerializer.Deserialize<StoredBackTest>(model.BackTest, ChurnRiskService.Json)!;
        var bt = stored.BackTest;
        var parameters = model.Parameters is null ? null : JsonSerializer.Deserialize<LogisticParameters>(model.Parameters, ChurnRiskService.Json);
        var weights = parameters is null ? [] : ChurnFactors.All.Select((f, i) =>
            new ChurnModelWeight(f, R(parameters.Weights[i]), R(parameters.Means[i]), R(parameters.Scales[i]))).ToList();
        var gain = bt.Model.RocAuc is { } m && bt.Baseline?.RocAuc is { } b ? R(m - b) : (decimal?)null;
        return TypedResults.Ok(new ChurnModelResponse(model.Method, model.MethodReason, model.TrainedAt, model.DataVersion, current, model.AsOf,
            model.ChurnEvents, ChurnModelSettings.MinChurnEvents, ChurnModelSettings.HorizonDays,
            Window(bt.TrainingFrom, bt.TrainingTo), Window(bt.HeldOutFrom, bt.HeldOutTo), Window(stored.ServedFrom, stored.ServedTo),
            bt.TrainingExamples, bt.TrainingChurns, bt.HeldOutExamples, bt.HeldOutChurns, Measures(bt.Model), bt.Baseline is null ? null : Measures(bt.Baseline),
            gain, weights));
    }

    private static CutoffWindow? Window(DateOnly? from, DateOnly? to) => from is { } f && to is { } t ? new CutoffWindow(f, t) : null;

    private static BackTestMeasures Measures(BackTestScores s) =>
        new(s.RocAuc is { } a ? R(a) : null, s.PrecisionAtTop10Percent is { } p ? R(p) : null, s.BrierScore is { } b ? R(b) : null);

    private static decimal R(double value) => Math.Round((decimal)value, 4, MidpointRounding.AwayFromZero);
}
