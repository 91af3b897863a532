using System.Data.Common;
using System.Net;
using System.Text.Json.Nodes;
using System.Text;
using B2BKpiApi.Data;
using B2BKpiApi.Idempotency;
using B2BKpiApi.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace B2BKpiApi.Tests.Hardening;

/// <summary>
/// The database going away around a write that carries an Idempotency-Key (a primary restarting): the key is marked used
/// in the write's own transaction, so no fault between the write and its bookkeeping can run the write twice, and a
/// brief outage right after the commit still ends in a kept answer.
/// </summary>
public sealed class IdempotencyFaultTests(IdempotencyFaultTests.FaultyApi factory) : IClassFixture<IdempotencyFaultTests.FaultyApi>
{
    /// <summary>Fails chosen database commands, or the commit of the request's write, the way a restarting server does.</summary>
    public sealed class Faults : DbCommandInterceptor, IDbTransactionInterceptor
    {
        public required string Provider { get; init; }
        private Func<string, bool>? _failCommand;
        private int _commandFailures;
        private int _commitFailures;

        /// <summary>The next <paramref name="times"/> commands whose SQL matches fail as an outage.</summary>
        public void FailCommands(Func<string, bool> match, int times) { _failCommand = match; _commandFailures = times; }

        /// <summary>The next commit that succeeds is reported to the API as a lost connection (the commit's answer lost).</summary>
        public void LoseNextCommitAnswer() => _commitFailures = 1;

        public void Reset() { _failCommand = null; _commandFailures = 0; _commitFailures = 0; }

        public Exception Outage() => Provider == "postgres"
            ? new PostgresException("terminating connection due to administrator command", "FATAL", "FATAL", "57P01")
            : new SqliteException("database is locked", 5);

        private void Check(DbCommand command)
        {
            if (_failCommand is { } match && match(command.CommandText) && Interlocked.Decrement(ref _commandFailures) >= 0)
                throw Outage();
        }

        public override ValueTask<InterceptionResult<int>> NonQueryExecutingAsync(DbCommand command, CommandEventData eventData,
            InterceptionResult<int> result, CancellationToken cancellationToken = default)
        {
            Check(command);
            return base.NonQueryExecutingAsync(command, eventData, result, cancellationToken);
        }

        public override ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(DbCommand command, CommandEventData eventData,
            InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default)
        {
            Check(command);
            return base.ReaderExecutingAsync(command, eventData, result, cancellationToken);
        }

        public Task TransactionCommittedAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default) =>
            Interlocked.Decrement(ref _commitFailures) >= 0 ? throw Outage() : Task.CompletedTask;
    }

    public sealed class FaultyApi : ApiFactory
    {
        public Faults Faults { get; }

        public FaultyApi() => Faults = new Faults { Provider = Database.Provider };

        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.ConfigureTestServices(s => s.ConfigureDbContext<KpiDbContext>(o => o.AddInterceptors(Faults)));
        }
    }

    private const string CostJson = """{"category":"cogs","amount":42.5,"currency":"USD","incurredOn":"2026-01-01"}""";

    private static HttpRequestMessage Post(string key) =>
        new(HttpMethod.Post, "/v1/costs")
        {
            Content = new StringContent(CostJson, Encoding.UTF8, "application/json"),
            Headers = { { "Idempotency-Key", key } },
        };

    private static async Task<int> CountCosts(TenantClient tenant)
    {
        var page = await tenant.Http.GetAsync("/v1/costs?limit=200").Expect(HttpStatusCode.OK);
        return page["items"]!.AsArray().Count;
    }

    private IdempotencyRecord? Claim(TenantClient tenant, string key) => factory.WithDb(db =>
        db.IdempotencyRecords.AsNoTracking().SingleOrDefault(r => r.Scope == tenant.TenantId && r.Key == key));

    private static bool StoresAnswer(string sql) => sql.Contains("IdempotencyRecords", StringComparison.Ordinal)
                                                    && sql.Contains("StatusCode", StringComparison.Ordinal)
                                                    && sql.Contains("UPDATE", StringComparison.OrdinalIgnoreCase);

    private static bool InsertsCost(string sql) => sql.Contains("INSERT INTO", StringComparison.OrdinalIgnoreCase)
                                                   && sql.Contains("Costs", StringComparison.Ordinal);

    [Fact]
    public async Task A_write_marks_its_key_executed_and_a_refused_request_leaves_no_claim()
    {
        factory.Faults.Reset();
        using var tenant = await factory.CreateTenantAsync();
        var key = Guid.NewGuid().ToString();
        await tenant.Http.SendAsync(Post(key)).Expect(HttpStatusCode.Created);
        var claim = Claim(tenant, key)!;
        Assert.NotNull(claim.ExecutedAt);
        Assert.Equal(201, claim.StatusCode);

        var refusedKey = Guid.NewGuid().ToString();
        using var refused = new HttpRequestMessage(HttpMethod.Post, "/v1/costs")
        {
            Content = new StringContent("""{"category":"cogs","amount":-1,"currency":"USD","incurredOn":"2026-01-01"}""", Encoding.UTF8, "application/json"),
            Headers = { { "Idempotency-Key", refusedKey } },
        };
        await tenant.Http.SendAsync(refused).ExpectProblem(HttpStatusCode.BadRequest);
        Assert.Null(Claim(tenant, refusedKey));
    }

    [Fact]
    public async Task The_database_going_away_just_after_the_commit_still_ends_in_a_kept_answer_and_one_write()
    {
        factory.Faults.Reset();
        using var tenant = await factory.CreateTenantAsync();
        var key = Guid.NewGuid().ToString();
        // The write commits; keeping its answer then fails three times (about 0.7 s of backoff), as during a restart.
        factory.Faults.FailCommands(StoresAnswer, times: 3);

        using var first = await tenant.Http.SendAsync(Post(key));
        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        factory.Faults.Reset();
        Assert.Equal(201, Claim(tenant, key)!.StatusCode);

        using var retry = await tenant.Http.SendAsync(Post(key));
        Assert.Equal(HttpStatusCode.Created, retry.StatusCode);
        Assert.Equal("true", retry.Headers.GetValues("Idempotent-Replayed").Single());
        Assert.Equal(1, await CountCosts(tenant));
    }

    [Fact]
    public async Task A_write_that_failed_before_its_commit_releases_its_key_so_the_retry_runs_once()
    {
        factory.Faults.Reset();
        using var tenant = await factory.CreateTenantAsync();
        var key = Guid.NewGuid().ToString();
        factory.Faults.FailCommands(InsertsCost, times: 1);

        using var failed = await tenant.Http.SendAsync(Post(key));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, failed.StatusCode);
        Assert.True(failed.Headers.Contains("Retry-After"));
        factory.Faults.Reset();
        // The claim is released in the background (the database may still be away when the 503 goes out).
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (Claim(tenant, key) is not null && DateTime.UtcNow < deadline)
            await Task.Delay(50);
        Assert.Null(Claim(tenant, key));
        Assert.Equal(0, await CountCosts(tenant));

        await tenant.Http.SendAsync(Post(key)).Expect(HttpStatusCode.Created);
        using var replay = await tenant.Http.SendAsync(Post(key));
        Assert.Equal(HttpStatusCode.Created, replay.StatusCode);
        Assert.Equal(1, await CountCosts(tenant));
    }

    [Fact]
    public async Task A_write_whose_commit_answer_was_lost_is_never_run_again_and_the_retry_hears_so()
    {
        factory.Faults.Reset();
        using var tenant = await factory.CreateTenantAsync();
        var key = Guid.NewGuid().ToString();
        factory.Faults.LoseNextCommitAnswer();

        using var failed = await tenant.Http.SendAsync(Post(key));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, failed.StatusCode);
        factory.Faults.Reset();
        Assert.Equal(1, await CountCosts(tenant)); // the commit went through

        // The failed request's claim is kept (its write is stored) and marked ended in the background: the retry then
        // hears at once that the records were changed, instead of 409 "in progress" for the 30 s lease.
        var deadline = DateTime.UtcNow.AddSeconds(10);
        JsonNode answer;
        do
        {
            await Task.Delay(50);
            answer = await tenant.Http.SendAsync(Post(key)).ExpectProblem(HttpStatusCode.Conflict);
        } while ((string?)answer["title"] == "Request in progress" && DateTime.UtcNow < deadline);
        Assert.Equal(IdempotencyGuards.AnswerLostDetail, (string?)answer["detail"]);
        var claim = Claim(tenant, key)!;
        Assert.NotNull(claim.ExecutedAt);
        Assert.Null(claim.StatusCode);

        // However old the claim grows, it is never taken over: the write is not run again.
        factory.WithDb(db => db.IdempotencyRecords.Where(r => r.Id == claim.Id)
            .ExecuteUpdate(s => s.SetProperty(r => r.CreatedAt, DateTime.UtcNow.AddMinutes(-10))));
        var late = await tenant.Http.SendAsync(Post(key)).ExpectProblem(HttpStatusCode.Conflict);
        Assert.Equal(IdempotencyGuards.AnswerLostDetail, (string?)late["detail"]);
        Assert.Equal(1, await CountCosts(tenant));
    }

    [Fact]
    public async Task A_claim_that_stored_nothing_is_still_taken_over_after_the_lease()
    {
        factory.Faults.Reset();
        using var tenant = await factory.CreateTenantAsync();
        var key = Guid.NewGuid().ToString();
        factory.Faults.LoseNextCommitAnswer();
        using (await tenant.Http.SendAsync(Post(key))) { }
        factory.Faults.Reset();
        await Task.Delay(500);
        // Turn the claim into one whose request died before writing: not executed, last renewed 40 s ago.
        factory.WithDb(db => db.IdempotencyRecords.Where(r => r.Scope == tenant.TenantId && r.Key == key)
            .ExecuteUpdate(s => s.SetProperty(r => r.ExecutedAt, (DateTime?)null).SetProperty(r => r.CreatedAt, DateTime.UtcNow.AddSeconds(-40))));
        factory.WithDb(db => db.Costs.IgnoreQueryFilters().Where(c => c.TenantId == tenant.TenantId).ExecuteDelete());

        await tenant.Http.SendAsync(Post(key)).Expect(HttpStatusCode.Created);
        Assert.Equal(1, await CountCosts(tenant));
        Assert.NotNull(Claim(tenant, key)!.ExecutedAt);
    }
}
