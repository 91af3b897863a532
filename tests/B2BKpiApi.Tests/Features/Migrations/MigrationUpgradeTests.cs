using System.Collections.Concurrent;
using System.Data.Common;
using B2BKpiApi.Tenancy;
using B2BKpiApi.Data;
using B2BKpiApi.Tests.Infrastructure;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace B2BKpiApi.Tests.Features.Migrations;

/// <summary>
/// A database created by the hand-written migrations (the committed script in Fixtures/) upgrades in place
/// under the generated ones: its data stays, its history rows are recognised, nothing is applied again,
/// and it ends with exactly the model's schema. Runs on the provider of the test run (SQLite, or
/// PostgreSQL with KPI_TEST_POSTGRES).
/// </summary>
public sealed class MigrationUpgradeTests
{
    private static readonly string[] BaselineIds = ["20261122000000_Initial", "20261122010000_Idempotency"];

    [Fact]
    public async Task A_database_made_by_the_hand_written_migrations_keeps_its_data_and_history_and_reapplies_nothing()
    {
        var database = ApiFactory.NewDatabase();
        var reference = ApiFactory.NewDatabase();
        try
        {
            var script = await File.ReadAllTextAsync(Path.Combine(AppContext.BaseDirectory, "Features", "Migrations", "Fixtures", $"2026-11-22-schema.{database.Provider}.sql"));
            await Execute(database, script);
            var historyBefore = await History(database);
            Assert.Equal(BaselineIds, historyBefore.Select(h => h.Split(' ')[0]));

            var stored = await StoreOneOfEverything(database);

            var commands = new CommandLog();
            await using (var scope = Services(database, commands).CreateAsyncScope())
            {
                var db = scope.ServiceProvider.GetRequiredService<KpiDbContext>();
                await db.Database.MigrateAsync();
                Assert.Empty(await db.Database.GetPendingMigrationsAsync());
                Assert.Equal(db.Database.GetMigrations(), await db.Database.GetAppliedMigrationsAsync());
            }

            // Nothing of the baseline re-applied: no table created again, the baseline's history rows (ids and
            // product versions) are the same rows, and only the migrations generated after it were added.
            string[] baselineTables = ["Tenants", "Clients", "Contracts", "Leads", "Surveys", "Costs", "IdempotencyRecords"];
            Assert.DoesNotContain(commands.Texts, c => baselineTables.Any(t =>
                c.Contains($"CREATE TABLE \"{t}\"", StringComparison.Ordinal)
                || c.Contains($"CREATE TABLE {t} ", StringComparison.Ordinal)));
            var historyAfter = await History(database);
            Assert.Equal(historyBefore, historyAfter.Take(historyBefore.Count));
            await using (var scope = Services(database, null).CreateAsyncScope())
                Assert.Equal(scope.ServiceProvider.GetRequiredService<KpiDbContext>().Database.GetMigrations().Skip(BaselineIds.Length),
                    historyAfter.Skip(historyBefore.Count).Select(h => h.Split(' ')[0]));

            await AssertStillThere(database, stored);

            await using (var scope = Services(reference, null).CreateAsyncScope())
                await scope.ServiceProvider.GetRequiredService<KpiDbContext>().Database.EnsureCreatedAsync();
            Assert.Equal(await MigrationSchemaTests.Describe(reference), await MigrationSchemaTests.Describe(database));
        }
        finally
        {
            database.Drop();
            reference.Drop();
        }
    }

    private sealed record Stored(Tenant Tenant, Client Client, Contract Contract, Lead Lead, Survey Survey, Cost Cost, IdempotencyRecord Idempotency);

    /// <summary>One row in every table, as the API stored records before the upgrade.</summary>
    private static async Task<Stored> StoreOneOfEverything(TestDatabase database)
    {
        var created = new DateTime(2026, 11, 1, 8, 30, 15, 123, 456, DateTimeKind.Utc);
        var tenant = new Tenant
        {
            Id = Guid.CreateVersion7(), Name = "Upgraded Ltd", Industry = "manufacturing", Currency = "USD",
            ApiKeyId = "0123456789abcdef", ApiKeyHash = [1, 2, 3, 4], CreatedAt = created,
        };
        var client = new Client
        {
            Id = Guid.CreateVersion7(), ExternalId = "crm-1", Name = "Globex", AcquiredOn = new(2025, 1, 15),
            ChurnedOn = new(2025, 9, 30), Industry = "manufacturing", Segment = "enterprise",
        };
        var contract = new Contract
        {
            Id = Guid.CreateVersion7(), ClientId = client.Id, SignedOn = new(2025, 1, 10), StartsOn = new(2025, 2, 1),
            EndsOn = new(2026, 1, 31), ValueMinor = 2_400_012, Currency = "USD", Kind = ContractKind.Renewal,
        };
        var lead = new Lead
        {
            Id = Guid.CreateVersion7(), CreatedOn = new(2025, 1, 2), QualifiedOn = new(2025, 1, 9), OpportunityOn = new(2025, 1, 20),
            ClosedOn = new(2025, 3, 1), Outcome = LeadOutcome.Won, DealValueMinor = 999_999_999_999, Currency = "USD", Source = "referral",
        };
        var survey = new Survey
        {
            Id = Guid.CreateVersion7(), Kind = SurveyKind.Nps, Score = 9, RespondedOn = new(2025, 3, 3), ClientId = client.Id,
            RespondentRole = RespondentRole.EconomicBuyer,
        };
        var cost = new Cost { Id = Guid.CreateVersion7(), Category = CostCategory.DirectLabor, AmountMinor = 120_050, Currency = "USD", IncurredOn = new(2025, 3, 1) };
        var idempotency = new IdempotencyRecord
        {
            Id = Guid.CreateVersion7(), Scope = tenant.Id, Key = "retry-1", RequestHash = [9, 8, 7], StatusCode = 201,
            ContentType = "application/json", Location = $"/v1/clients/{client.Id}", Body = "{}"u8.ToArray(), CreatedAt = created,
            ExpiresAt = created.AddHours(24),
        };

        // Written row by row with the model's own column mappings, into the columns the old schema has: the
        // model has grown since (e.g. Tenants.DataVersion), so SaveChanges would write columns that are not there yet.
        await using (var scope = Services(database, null).CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<KpiDbContext>();
            foreach (object entity in new object[] { tenant, idempotency, client, contract, lead, survey, cost })
            {
                if (entity is TenantOwned owned)
                    (owned.TenantId, owned.Version, owned.CreatedAt, owned.UpdatedAt) = (tenant.Id, 1, created, created);
                await InsertIntoBaselineColumns(db, entity);
            }
        }
        return new Stored(tenant, client, contract, lead, survey, cost, idempotency);
    }

    private static async Task AssertStillThere(TestDatabase database, Stored stored)
    {
        await using var scope = Services(database, null).CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<TenantContext>().Resolve(stored.Tenant.Id, stored.Tenant.Currency, stored.Tenant.Industry);
        var db = scope.ServiceProvider.GetRequiredService<KpiDbContext>();

        var tenant = await db.Tenants.AsNoTracking().SingleAsync();
        Assert.Equal((stored.Tenant.Id, stored.Tenant.Name, stored.Tenant.ApiKeyId, stored.Tenant.CreatedAt),
            (tenant.Id, tenant.Name, tenant.ApiKeyId, tenant.CreatedAt));
        Assert.Equal(stored.Tenant.ApiKeyHash, tenant.ApiKeyHash);

        var client = await db.Clients.AsNoTracking().SingleAsync();
        Assert.Equal((stored.Client.Id, stored.Tenant.Id, "crm-1", "Globex", stored.Client.AcquiredOn, stored.Client.ChurnedOn, "enterprise", 1),
            (client.Id, client.TenantId, client.ExternalId, client.Name, client.AcquiredOn, client.ChurnedOn, client.Segment, client.Version));

        var contract = await db.Contracts.AsNoTracking().SingleAsync();
        Assert.Equal((stored.Contract.ClientId, stored.Contract.EndsOn, 2_400_012L, ContractKind.Renewal),
            (contract.ClientId, contract.EndsOn, contract.ValueMinor, contract.Kind));

        var lead = await db.Leads.AsNoTracking().SingleAsync();
        Assert.Equal((stored.Lead.ClosedOn, LeadOutcome.Won, 999_999_999_999L, "referral"), (lead.ClosedOn, lead.Outcome, lead.DealValueMinor, lead.Source));

        var survey = await db.Surveys.AsNoTracking().SingleAsync();
        Assert.Equal((SurveyKind.Nps, 9, stored.Client.Id, RespondentRole.EconomicBuyer), (survey.Kind, survey.Score, survey.ClientId, survey.RespondentRole));

        var cost = await db.Costs.AsNoTracking().SingleAsync();
        Assert.Equal((CostCategory.DirectLabor, 120_050L, stored.Cost.IncurredOn), (cost.Category, cost.AmountMinor, cost.IncurredOn));

        var idempotency = await db.IdempotencyRecords.AsNoTracking().SingleAsync();
        Assert.Equal((stored.Idempotency.Scope, "retry-1", 201, stored.Idempotency.ExpiresAt), (idempotency.Scope, idempotency.Key, idempotency.StatusCode, idempotency.ExpiresAt));
        Assert.Equal(stored.Idempotency.Body, idempotency.Body);

        // Every row the tenant owns, not just one of each: nothing dropped, nothing duplicated.
        Assert.Equal(5, await db.Clients.CountAsync() + await db.Contracts.CountAsync() + await db.Leads.CountAsync()
                        + await db.Surveys.CountAsync() + await db.Costs.CountAsync());
    }

    private static async Task InsertIntoBaselineColumns(KpiDbContext db, object entity)
    {
        var type = db.Model.FindEntityType(entity.GetType())!;
        var table = type.GetTableName()!;
        var connection = db.Database.GetDbConnection();
        if (connection.State != System.Data.ConnectionState.Open)
            await connection.OpenAsync();
        var existing = new HashSet<string>(StringComparer.Ordinal);
        await using (var probe = connection.CreateCommand())
        {
            probe.CommandText = $"SELECT * FROM \"{table}\" WHERE 1 = 0";
            await using var reader = await probe.ExecuteReaderAsync();
            for (var i = 0; i < reader.FieldCount; i++)
                existing.Add(reader.GetName(i));
        }
        await using var command = connection.CreateCommand();
        var columns = new List<string>();
        foreach (var property in type.GetProperties().Where(p => existing.Contains(p.GetColumnName())))
        {
            var mapping = (Microsoft.EntityFrameworkCore.Storage.RelationalTypeMapping)property.GetTypeMapping();
            // CreateParameter applies the mapping's value converter (enums, UTC timestamps) as SaveChanges would.
            command.Parameters.Add(mapping.CreateParameter(command, $"p{columns.Count}", property.PropertyInfo!.GetValue(entity), property.IsNullable));
            columns.Add(property.GetColumnName());
        }
        command.CommandText = $"INSERT INTO \"{table}\" ({string.Join(", ", columns.Select(c => $"\"{c}\""))}) " +
                              $"VALUES ({string.Join(", ", columns.Select((_, i) => "@p" + i))})";
        await command.ExecuteNonQueryAsync();
    }

    private static ServiceProvider Services(TestDatabase database, CommandLog? log)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Database:Provider"] = database.Provider,
            ["ConnectionStrings:Kpi"] = database.ConnectionString,
        }).Build();
        var services = new ServiceCollection().AddSingleton(TimeProvider.System).AddScoped<TenantContext>().AddKpiDatabase(configuration);
        if (log is not null)
            services.ConfigureDbContext<KpiDbContext>(o => o.AddInterceptors(log));
        return services.BuildServiceProvider();
    }

    private static async Task<List<string>> History(TestDatabase database)
    {
        await using var connection = Open(database);
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT \"MigrationId\", \"ProductVersion\" FROM \"__EFMigrationsHistory\" ORDER BY \"MigrationId\"";
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<string>();
        while (await reader.ReadAsync())
            rows.Add($"{reader.GetString(0)} {reader.GetString(1)}");
        return rows;
    }

    private static async Task Execute(TestDatabase database, string sql)
    {
        await using var connection = Open(database);
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync();
    }

    private static DbConnection Open(TestDatabase database) => database.Provider == Database.Sqlite
        ? new SqliteConnection(database.ConnectionString)
        : new NpgsqlConnection(database.ConnectionString);

    private sealed class CommandLog : DbCommandInterceptor
    {
        private readonly ConcurrentQueue<string> _texts = new();
        public IReadOnlyList<string> Texts => [.. _texts];

        public override InterceptionResult<int> NonQueryExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<int> result)
        {
            _texts.Enqueue(command.CommandText);
            return result;
        }

        public override ValueTask<InterceptionResult<int>> NonQueryExecutingAsync(DbCommand command, CommandEventData eventData,
            InterceptionResult<int> result, CancellationToken cancellationToken = default)
        {
            _texts.Enqueue(command.CommandText);
            return ValueTask.FromResult(result);
        }

        public override ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(DbCommand command, CommandEventData eventData,
            InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default)
        {
            _texts.Enqueue(command.CommandText);
            return ValueTask.FromResult(result);
        }
    }
}
