using B2BKpiApi.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;

namespace B2BKpiApi.Tests.Features.Migrations;

/// <summary>
/// What docs/scaling.md relies on to distribute the tables by <c>TenantId</c> (Citus): which tables carry the tenant id,
/// and which of their primary keys, unique indexes and foreign keys include it. Today's exceptions are listed exactly,
/// so that a new one fails here and a fixed one must be taken off the list (and out of the document).
/// </summary>
public sealed class TenantScopedKeysTests
{
    /// <summary>
    /// The tables without a TenantId column: the tenants themselves, idempotency records scoped by their Scope, and the
    /// peer-benchmark snapshots and their job's lease row, which are cross-tenant aggregates by design (README "Peer
    /// benchmarks"; under Citus they are reference tables, docs/scaling.md).
    /// </summary>
    private static readonly string[] TablesWithoutTenantId = ["IdempotencyRecords", "PeerBenchmarkRuns", "PeerBenchmarkSnapshots", "Tenants"];

    /// <summary>
    /// Keys of tenant-owned tables that do not include TenantId today (docs/scaling.md, "What holds today"): every table's
    /// primary key is its Guid Id alone, and the foreign keys to a client or a webhook row name that row's Id alone.
    /// </summary>
    private static readonly string[] KnownExceptions =
    [
        "AlertRules: primary key (Id)",
        "Clients: primary key (Id)",
        "Contracts: foreign key (ClientId) -> Clients",
        "Contracts: primary key (Id)",
        "Costs: primary key (Id)",
        "Leads: primary key (Id)",
        "PeerBenchmarkSettings: primary key (Id)",
        "Surveys: foreign key (ClientId) -> Clients",
        "Surveys: primary key (Id)",
        "WebhookAttempts: foreign key (DeliveryId) -> WebhookDeliveries",
        "WebhookAttempts: primary key (Id)",
        "WebhookDeliveries: foreign key (EndpointId) -> WebhookEndpoints",
        "WebhookDeliveries: foreign key (MessageId) -> WebhookMessages",
        "WebhookDeliveries: primary key (Id)",
        "WebhookEndpoints: primary key (Id)",
        "WebhookMessages: primary key (Id)",
    ];

    private static readonly string[] WithoutTenantForeignKey = ["WebhookAttempts", "WebhookDeliveries", "WebhookMessages"];

    public static TheoryData<string> Providers => [.. Database.Providers];

    [Theory]
    [MemberData(nameof(Providers))]
    public void Every_table_but_the_tenants_and_idempotency_records_carries_the_tenant_id(string provider)
    {
        using var db = SqlServerMigrationTests.Context(provider);
        var without = Model(db).GetEntityTypes().Where(e => e.FindProperty(nameof(TenantOwned.TenantId)) is null)
            .Select(e => e.GetTableName()!).Order();
        Assert.Equal(TablesWithoutTenantId, without);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public void Every_key_unique_index_and_foreign_key_of_a_tenant_table_includes_the_tenant_id_but_the_listed_exceptions(string provider)
    {
        using var db = SqlServerMigrationTests.Context(provider);
        var model = Model(db);
        var violations = new List<string>();
        var checkedUnique = 0;
        var withoutTenantForeignKey = new List<string>();
        foreach (var entity in model.GetEntityTypes().Where(e => e.FindProperty(nameof(TenantOwned.TenantId)) is not null))
        {
            var table = entity.GetTableName()!;
            foreach (var key in entity.GetKeys().Where(k => !Scoped(k.Properties)))
                violations.Add($"{table}: {(key.IsPrimaryKey() ? "primary key" : "alternate key")} ({Columns(key.Properties)})");
            foreach (var index in entity.GetIndexes().Where(i => i.IsUnique))
            {
                checkedUnique++;
                if (!Scoped(index.Properties))
                    violations.Add($"{table}: unique index ({Columns(index.Properties)})");
            }
            foreach (var foreignKey in entity.GetForeignKeys().Where(f => !Scoped(f.Properties)))
                violations.Add($"{table}: foreign key ({Columns(foreignKey.Properties)}) -> {foreignKey.PrincipalEntityType.GetTableName()}");
            if (!entity.GetForeignKeys().Any(f => f.PrincipalEntityType.ClrType == typeof(Tenant)))
                withoutTenantForeignKey.Add(table);
        }
        // The webhook outbox tables hold a TenantId without a foreign key to the tenant (SQL Server refuses a second
        // cascade path): a tenant's delete reaches them through its endpoints, or the delivery worker's retention.
        Assert.Equal(WithoutTenantForeignKey, withoutTenantForeignKey.Order(StringComparer.Ordinal));
        // The five record tables' (TenantId, ExternalId) at least: the check looked at unique indexes, and they all held.
        Assert.True(checkedUnique >= 5, $"only {checkedUnique} unique indexes checked");
        Assert.Equal(KnownExceptions, violations.Order(StringComparer.Ordinal));
    }

    private static IModel Model(KpiDbContext db) => db.GetService<IDesignTimeModel>().Model;

    private static bool Scoped(IEnumerable<IProperty> properties) => properties.Any(p => p.Name == nameof(TenantOwned.TenantId));

    private static string Columns(IEnumerable<IProperty> properties) => string.Join(", ", properties.Select(p => p.GetColumnName()));
}
