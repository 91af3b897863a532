using System.Text.Json;
using B2BKpiApi.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace B2BKpiApi.Features.ChurnRisk;

/// <summary>Configuration section <c>ChurnRisk</c>.</summary>
public sealed class ChurnRiskOptions
{
    /// <summary>Whether this instance runs the training worker (several may: a claim in the database lets one train a tenant).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>How often the worker looks for tenants whose data moved since their model was trained.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long a claim holds: an instance that dies while training lets another take over after it.</summary>
    public TimeSpan ClaimDuration { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>After a failed training, the tenant waits this long before the next try.</summary>
    public TimeSpan RetryAfterFailure { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>A model older than this many days is retrained even without new data, so that its cut-offs follow the calendar.</summary>
    public int RetrainAfterDays { get; set; } = 7;

    /// <summary>
    /// A model trained less than this long ago waits before it is retrained for new data: a tenant importing file after
    /// file is trained once its writes slow down, not once per file (a tenant without a model is trained at once).
    /// </summary>
    public TimeSpan MinRetrainInterval { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// Training reads at most this many clients' histories: above it, a fixed pseudo-random sample of the tenant's clients
    /// (the same clients every time, chosen by a hash of their ids), so that memory and time stay bounded on a large tenant.
    /// </summary>
    public int MaxTrainingClients { get; set; } = 20_000;
}

/// <summary>
/// Trains each tenant's churn model in the background, never on a request: a tenant is due when it has no model yet,
/// when its DataVersion moved since the model was trained, or when the model was trained more than <c>RetrainAfterDays</c> ago.
/// Safe with several instances: before training, an instance claims the tenant's row with a conditional UPDATE (no
/// live claim, and still due); only the claimant's write of the result lands.
/// </summary>
public sealed partial class ChurnModelWorker(
    IServiceScopeFactory scopes, TimeProvider clock, IOptions<ChurnRiskOptions> options, IHostApplicationLifetime lifetime,
    ILogger<ChurnModelWorker> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.Enabled || !await lifetime.WaitUntilStartedAsync(stoppingToken))
            return;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await PollAsync(stoppingToken);
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                LogPollFailed(logger, e.GetType().FullName ?? "?", e.Message);
            }
            try
            {
                await Task.Delay(options.Value.PollInterval, clock, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }


    /// <summary>Trains every due tenant once.</summary>
    internal async Task PollAsync(CancellationToken ct)
    {
        List<Guid> due;
        var now = KpiDbContext.Now(clock);
        var stale = now.AddDays(-options.Value.RetrainAfterDays);
        var settled = now - options.Value.MinRetrainInterval;
        using (var scope = scopes.CreateScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<KpiDbContext>();
            due = await (from t in db.Tenants
                         join m in db.ChurnModels.IgnoreQueryFilters() on t.Id equals m.TenantId into models
                         from m in models.DefaultIfEmpty()
                         where m == null
                               || ((m.DataVersion == null || m.TrainedAt == null || m.TrainedAt < stale
                                    || (m.DataVersion != t.DataVersion && m.TrainedAt < settled))
                                   && (m.ClaimedUntil == null || m.ClaimedUntil < now))
                         orderby t.Id
                         select t.Id).ToListAsync(ct);
        }
        foreach (var tenantId in due)
            await TrainTenantAsync(tenantId, force: false, ct);
    }

    /// <summary>
    /// Claims and trains one tenant; false when another instance holds the claim or (without <paramref name="force"/>)
    /// the stored model is already of the tenant's current data.
    /// </summary>
    public async Task<bool> TrainTenantAsync(Guid tenantId, bool force, CancellationToken ct)
    {
        using var scope = scopes.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<KpiDbContext>();
        var owner = await db.Tenants.AsNoTracking().Where(t => t.Id == tenantId)
            .Select(t => new { t.Id, t.Currency, t.Industry, t.DataVersion }).FirstOrDefaultAsync(ct);
        if (owner is null)
            return false;
        var models = db.ChurnModels.IgnoreQueryFilters();
        if (!await models.AnyAsync(m => m.TenantId == tenantId, ct))
        {
            db.ChurnModels.Add(new ChurnModel { TenantId = tenantId });
            try
            {
                await db.SaveChangesAsync(ct);
            }
            catch (DbUpdateException)
            {
                // Another instance added it first: the claim below decides who trains.
            }
            db.ChangeTracker.Clear();
        }

        var now = KpiDbContext.Now(clock);
        var stale = now.AddDays(-options.Value.RetrainAfterDays);
        var token = Guid.NewGuid();
        var until = now + options.Value.ClaimDuration;
        var version = owner.DataVersion;
        var claimed = await models
            .Where(m => m.TenantId == tenantId && (m.ClaimedUntil == null || m.ClaimedUntil < now)
                        && (force || m.DataVersion == null || m.DataVersion != version || m.TrainedAt < stale))
            .ExecuteUpdateAsync(s => s.SetProperty(m => m.ClaimToken, token).SetProperty(m => m.ClaimedUntil, until), ct);
        if (claimed != 1)
            return false;

        try
        {
            scope.ServiceProvider.GetRequiredService<TenantContext>().Resolve(owner.Id, owner.Currency, owner.Industry, owner.DataVersion);
            var service = scope.ServiceProvider.GetRequiredService<ChurnRiskService>();
            var histories = await TrainingHistoriesAsync(db, service, ct);
            var asOf = ChurnTrainer.TrainingDay(histories, DateOnly.FromDateTime(now));
            var started = clock.GetTimestamp();
            var trained = ChurnTrainer.Train(histories, asOf);
            var parameters = trained.Parameters is null ? null : JsonSerializer.Serialize(trained.Parameters, ChurnRiskService.Json);
            var backTest = JsonSerializer.Serialize(new StoredBackTest(trained.ServedFrom, trained.ServedTo, trained.BackTest), ChurnRiskService.Json);
            var trainedAt = KpiDbContext.Now(clock);
            await models.Where(m => m.TenantId == tenantId && m.ClaimToken == token)
                .ExecuteUpdateAsync(s => s
                    .SetProperty(m => m.Method, trained.Method)
                    .SetProperty(m => m.MethodReason, trained.MethodReason)
                    .SetProperty(m => m.TrainedAt, trainedAt)
                    .SetProperty(m => m.DataVersion, version)
                    .SetProperty(m => m.AsOf, asOf)
                    .SetProperty(m => m.ChurnEvents, trained.ChurnEvents)
                    .SetProperty(m => m.Parameters, parameters)
                    .SetProperty(m => m.BackTest, backTest)
                    .SetProperty(m => m.ClaimToken, (Guid?)null)
                    .SetProperty(m => m.ClaimedUntil, (DateTime?)null), ct);
            // New probabilities: the tenant's at-risk-clients alert rules are evaluated again with them (their evaluation may
            // have read the model this one replaces), without waiting for the next change of the data.
            var requeued = await db.AlertRules.IgnoreQueryFilters()
                .Where(r => r.TenantId == tenantId && r.KpiId == B2BKpiApi.Alerts.AtRiskClientsTarget.Id && r.EvaluatedDataVersion != null)
                .ExecuteUpdateAsync(s => s.SetProperty(r => r.EvaluatedDataVersion, (long?)null), ct);
            if (requeued > 0)
                scope.ServiceProvider.GetService<B2BKpiApi.Alerts.AlertWake>()?.Wake();
            var elapsed = clock.GetElapsedTime(started).TotalMilliseconds;
            LogTrained(logger, tenantId, trained.Method, histories.Count, trained.ChurnEvents, elapsed);
            return true;
        }
        catch (Exception e) when (!ct.IsCancellationRequested)
        {
            LogTrainingFailed(logger, tenantId, e.GetType().FullName ?? "?", e.Message);
            var retryAt = KpiDbContext.Now(clock) + options.Value.RetryAfterFailure;
            await models.Where(m => m.TenantId == tenantId && m.ClaimToken == token)
                .ExecuteUpdateAsync(s => s.SetProperty(m => m.ClaimToken, (Guid?)null).SetProperty(m => m.ClaimedUntil, retryAt), CancellationToken.None);
            return false;
        }
    }

    /// <summary>Every client's history, or above <see cref="ChurnRiskOptions.MaxTrainingClients"/> those of a fixed sample.</summary>
    private async Task<IReadOnlyList<ClientHistory>> TrainingHistoriesAsync(KpiDbContext db, ChurnRiskService service, CancellationToken ct)
    {
        var max = Math.Max(1, options.Value.MaxTrainingClients);
        var ids = await db.Clients.AsNoTracking().Select(c => c.Id).ToListAsync(ct);
        if (ids.Count <= max)
            return await service.HistoriesAsync(null, null, activeOnly: false, ct);
        var sample = TrainingSample(ids, max);
        LogSampled(logger, sample.Count, ids.Count);
        var histories = new List<ClientHistory>(sample.Count);
        // In slices, so that no statement carries tens of thousands of ids.
        foreach (var slice in sample.Chunk(2_000))
            histories.AddRange(await service.HistoriesOfAsync(slice, ct));
        return histories;
    }

    /// <summary>
    /// The <paramref name="max"/> clients whose ids hash lowest (SHA-256 of the id's bytes): pseudo-random, independent of
    /// when a client was created, and the same set on every instance and every run.
    /// </summary>
    internal static IReadOnlyList<Guid> TrainingSample(IReadOnlyList<Guid> ids, int max)
    {
        Span<byte> bytes = stackalloc byte[16];
        Span<byte> hash = stackalloc byte[32];
        var keyed = new (ulong Key, Guid Id)[ids.Count];
        for (var i = 0; i < ids.Count; i++)
        {
            ids[i].TryWriteBytes(bytes);
            System.Security.Cryptography.SHA256.HashData(bytes, hash);
            keyed[i] = (System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(hash), ids[i]);
        }
        Array.Sort(keyed, (a, b) => a.Key != b.Key ? a.Key.CompareTo(b.Key) : a.Id.CompareTo(b.Id));
        return keyed.Take(max).Select(k => k.Id).ToList();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Churn model of tenant {TenantId} trained: {Method}, {Clients} clients, {ChurnEvents} churn events, {Milliseconds} ms")]
    private static partial void LogTrained(ILogger logger, Guid tenantId, string method, int clients, int churnEvents, double milliseconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Training the churn model of tenant {TenantId} failed ({ExceptionType}: {ExceptionMessage}); it is tried again later")]
    private static partial void LogTrainingFailed(ILogger logger, Guid tenantId, string exceptionType, string exceptionMessage);

    [LoggerMessage(Level = LogLevel.Information, Message = "Churn training reads a fixed sample of {Sampled} of the tenant's {Clients} clients (ChurnRisk:MaxTrainingClients)")]
    private static partial void LogSampled(ILogger logger, int sampled, int clients);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Looking for churn models to train failed ({ExceptionType}: {ExceptionMessage}); trying again at the next poll")]
    private static partial void LogPollFailed(ILogger logger, string exceptionType, string exceptionMessage);
}

/// <summary>The back-test as stored beside the model: with the window of cut-offs the served model was refitted on.</summary>
public sealed record StoredBackTest(DateOnly? ServedFrom, DateOnly? ServedTo, BackTestResult BackTest);

public static class ChurnRiskServices
{
    /// <summary>The churn-risk reads and, unless <c>ChurnRisk:Enabled</c> is false, the training worker.</summary>
    public static IServiceCollection AddChurnRisk(this IServiceCollection services, IConfiguration configuration)
    {
        services.Configure<ChurnRiskOptions>(configuration.GetSection("ChurnRisk"));
        services.AddScoped<ChurnRiskService>();
        // Registered as itself too, so that a test (or an operator tool) can train a tenant on demand.
        services.AddSingleton<ChurnModelWorker>();
        if (configuration.GetValue("ChurnRisk:Enabled", true))
            services.AddHostedService(sp => sp.GetRequiredService<ChurnModelWorker>());
        return services;
    }
}
