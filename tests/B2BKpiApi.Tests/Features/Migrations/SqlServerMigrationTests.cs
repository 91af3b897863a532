using System.Text.RegularExpressions;
using B2BKpiApi.Tenancy;
using B2BKpiApi.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace B2BKpiApi.Tests.Features.Migrations;

/// <summary>
/// The generated migrations of every provider against the model, without a database: SQL Server's as
/// the T-SQL script they produce (no SQL Server runs here), all three through their model snapshots.
/// </summary>
public sealed class SqlServerMigrationTests
{
    /// <summary>The ids databases created before the generated migrations carry in __EFMigrationsHistory.</summary>
    private static readonly string[] BaselineIds = ["20261122000000_Initial", "20261122010000_Idempotency"];

    public static TheoryData<string> Providers => [.. Database.Providers];

    [Theory]
    [MemberData(nameof(Providers))]
    public void Each_providers_migrations_end_at_the_current_model_and_start_from_the_existing_ids(string provider)
    {
        using var db = Context(provider);

        // A model change without `scripts/add-migration.sh` leaves the snapshot behind: this fails.
        Assert.False(db.Database.HasPendingModelChanges(), $"The {provider} snapshot differs from the model: run scripts/add-migration.sh.");
        var migrations = db.Database.GetMigrations().ToList();
        Assert.Equal(BaselineIds, migrations.Take(BaselineIds.Length));
        // Only this provider's set is seen: the other two providers' classes share the ids but not the namespace.
        var types = db.GetService<IMigrationsAssembly>().Migrations.Values;
        Assert.All(types, t => Assert.Equal(Database.MigrationsNamespace(db.Database.ProviderName!), t.Namespace));
        Assert.Equal(migrations.Count, types.Count());
    }

    [Fact]
    public void The_SqlServer_migrations_script_creates_every_table_column_index_and_key_of_the_model_in_TSql()
    {
        using var db = Context(Database.SqlServer);
        var script = db.GetService<IMigrator>().GenerateScript();
        SqlServerTranslationTests.AssertTSql(script);

        foreach (var entity in db.Model.GetEntityTypes())
        {
            var table = entity.GetTableName()!;
            var create = Regex.Match(script, $@"CREATE TABLE \[{table}\] \((?<body>.*?)\n\);", RegexOptions.Singleline);
            Assert.True(create.Success, $"no CREATE TABLE [{table}]");
            var body = create.Groups["body"].Value;
            // A column is created with its table or added by a later migration's ALTER TABLE ... ADD.
            var added = string.Concat(Regex.Matches(script, $@"ALTER TABLE \[{table}\] ADD (?<column>[^;]*);").Select(m => m.Groups["column"].Value + "\n"));
            foreach (var property in entity.GetProperties())
            {
                var nullability = property.IsNullable ? "NULL" : "NOT NULL";
                Assert.Contains($"[{property.GetColumnName()}] {property.GetColumnType()} {nullability}", body + added, StringComparison.Ordinal);
            }
            var keyColumns = string.Join("], [", entity.FindPrimaryKey()!.Properties.Select(p => p.GetColumnName()));
            Assert.Contains($"CONSTRAINT [{entity.FindPrimaryKey()!.GetName()}] PRIMARY KEY ([{keyColumns}])", body, StringComparison.Ordinal);
            foreach (var key in entity.GetForeignKeys())
                Assert.Contains($"CONSTRAINT [{key.GetConstraintName()}] FOREIGN KEY ([{key.Properties.Single().GetColumnName()}]) " +
                                $"REFERENCES [{key.PrincipalEntityType.GetTableName()}] ([Id])", body, StringComparison.Ordinal);
            foreach (var index in entity.GetIndexes())
            {
                var columns = string.Join(", ", index.Properties.Select(p => $"[{p.GetColumnName()}]"));
                Assert.Contains($"CREATE {(index.IsUnique ? "UNIQUE " : "")}INDEX [{index.GetDatabaseName()}] ON [{table}] ({columns})",
                    script, StringComparison.Ordinal);
            }
        }
        foreach (var id in BaselineIds)
            Assert.Contains($"N'{id}'", script, StringComparison.Ordinal);
    }

    [Fact]
    public void SqlServer_column_types_are_the_ones_a_DBA_would_choose()
    {
        using var db = Context(Database.SqlServer);
        var script = db.GetService<IMigrator>().GenerateScript();

        // Money is exact integer minor units; dates are dates; timestamps keep .NET's precision.
        Assert.Contains("[ValueMinor] bigint NOT NULL", script, StringComparison.Ordinal);
        Assert.Contains("[AmountMinor] bigint NOT NULL", script, StringComparison.Ordinal);
        Assert.Contains("[DealValueMinor] bigint NULL", script, StringComparison.Ordinal);
        Assert.Contains("[SignedOn] date NOT NULL", script, StringComparison.Ordinal);
        Assert.Contains("[CreatedAt] datetime2 NOT NULL", script, StringComparison.Ordinal);
        Assert.Contains("[Id] uniqueidentifier NOT NULL", script, StringComparison.Ordinal);
        Assert.Contains("[Currency] nvarchar(3) NOT NULL", script, StringComparison.Ordinal);
        // Unbounded text only where a whole JSON document is kept (an event's body, a rule's last evaluation), and the
        // contributing tenants of a peer snapshot (a list of ids that grows with the tenants), and a churn model's parameters
        // and back-test.
        Assert.All(script.Split('\n').Where(l => l.Contains("nvarchar(max)", StringComparison.Ordinal)),
            l => Assert.Matches(@"^\s*\[(Payload|LastEvaluation|Members|Parameters|BackTest)\] nvarchar\(max\)", l));
        // SQL Server lets a unique index hold NULL once: records without an externalId must not collide.
        Assert.Contains("CREATE UNIQUE INDEX [IX_Clients_TenantId_ExternalId] ON [Clients] ([TenantId], [ExternalId]) WHERE [ExternalId] IS NOT NULL",
            script, StringComparison.Ordinal);
    }

    internal static KpiDbContext Context(string provider)
    {
        var connectionString = provider switch
        {
            // Nothing here connects: a model, a snapshot and a script need no server.
            Database.Sqlite => "Data Source=never-opened.db",
            Database.Postgres => "Host=postgres.invalid;Database=kpi",
            _ => "Server=sqlserver.invalid;Database=kpi;TrustServerCertificate=True",
        };
        var options = new DbContextOptionsBuilder<KpiDbContext>();
        Database.Configure(options, provider, connectionString);
        return new KpiDbContext(options.Options, new TenantContext(), TimeProvider.System);
    }
}
