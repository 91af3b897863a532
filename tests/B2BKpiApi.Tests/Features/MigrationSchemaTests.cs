using B2BKpiApi.Tenancy;
using B2BKpiApi.Data;
using B2BKpiApi.Tests.Infrastructure;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace B2BKpiApi.Tests.Features;

/// <summary>
/// The migrations are written by hand, so this proves they build exactly the model's schema: a
/// database made by the migrations and one made from the model (EnsureCreated) must have the same
/// tables, columns (type, nullability), indexes (columns, uniqueness) and foreign keys.
/// </summary>
public sealed class MigrationSchemaTests
{
    [Fact]
    public async Task A_migrated_database_has_exactly_the_models_schema()
    {
        var migrated = ApiFactory.NewDatabase();
        var created = ApiFactory.NewDatabase();
        try
        {
            await using (var db = Context(migrated))
                await db.Database.MigrateAsync();
            await using (var db = Context(created))
                await db.Database.EnsureCreatedAsync();

            var expected = await Describe(created);
            var actual = await Describe(migrated);
            Assert.NotEmpty(expected);
            Assert.Equal(expected, actual);
        }
        finally
        {
            migrated.Drop();
            created.Drop();
        }
    }

    [Fact]
    public async Task Every_migration_is_applied_and_none_is_pending()
    {
        var database = ApiFactory.NewDatabase();
        try
        {
            await using var db = Context(database);
            await db.Database.MigrateAsync();
            Assert.Empty(await db.Database.GetPendingMigrationsAsync());
            Assert.NotEmpty(await db.Database.GetAppliedMigrationsAsync());
        }
        finally
        {
            database.Drop();
        }
    }

    private static KpiDbContext Context(TestDatabase database)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Database:Provider"] = database.Provider,
            ["ConnectionStrings:Kpi"] = database.ConnectionString,
        }).Build();
        var services = new ServiceCollection()
            .AddSingleton(TimeProvider.System)
            .AddScoped<TenantContext>()
            .AddKpiDatabase(configuration)
            .BuildServiceProvider();
        return services.CreateScope().ServiceProvider.GetRequiredService<KpiDbContext>();
    }

    private static Task<List<string>> Describe(TestDatabase database) =>
        database.Provider == "sqlite" ? DescribeSqlite(database.ConnectionString) : DescribePostgres(database.ConnectionString);

    private static async Task<List<string>> DescribeSqlite(string connectionString)
    {
        await using var connection = new SqliteConnection(connectionString);
        await connection.OpenAsync();
        var tables = await Query(connection, "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '__EFMigrations%'");
        var facts = new List<string>();
        foreach (var table in tables)
        {
            facts.AddRange((await Query(connection, $"SELECT name || ' ' || type || ' notnull=' || \"notnull\" || ' pk=' || pk FROM pragma_table_info('{table}')")).Select(c => $"{table}.{c}"));
            foreach (var index in await Query(connection, $"SELECT name || '|' || \"unique\" FROM pragma_index_list('{table}') WHERE origin <> 'pk'"))
            {
                var name = index.Split('|')[0];
                var columns = string.Join(",", await Query(connection, $"SELECT name FROM pragma_index_info('{name}') ORDER BY seqno"));
                facts.Add($"{table} index {name} ({columns}) unique={index.Split('|')[1]}");
            }
            facts.AddRange((await Query(connection, $"SELECT \"from\" || '->' || \"table\" || '.' || \"to\" || ' ' || on_delete FROM pragma_foreign_key_list('{table}')")).Select(f => $"{table} fk {f}"));
        }
        facts.Sort(StringComparer.Ordinal);
        return facts;
    }

    private static async Task<List<string>> DescribePostgres(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        var facts = new List<string>();
        facts.AddRange(await Query(connection, """
            SELECT table_name || '.' || column_name || ' ' || data_type || coalesce('(' || character_maximum_length || ')', '') || ' nullable=' || is_nullable
            FROM information_schema.columns WHERE table_schema = 'public' AND table_name NOT LIKE '\_\_EFMigrations%'
            """));
        facts.AddRange(await Query(connection, """
            SELECT tablename || ' ' || regexp_replace(indexdef, '^.* USING ', '') || ' ' || indexname
            FROM pg_indexes WHERE schemaname = 'public' AND tablename NOT LIKE '\_\_EFMigrations%'
            """));
        facts.AddRange(await Query(connection, """
            SELECT conrelid::regclass::text || ' ' || conname || ' ' || pg_get_constraintdef(oid)
            FROM pg_constraint WHERE connamespace = 'public'::regnamespace AND conrelid::regclass::text NOT LIKE '%EFMigrations%'
            """));
        facts.Sort(StringComparer.Ordinal);
        return facts;
    }

    private static async Task<List<string>> Query(System.Data.Common.DbConnection connection, string sql)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<string>();
        while (await reader.ReadAsync())
            rows.Add(reader.GetString(0));
        return rows;
    }
}
