using System.Data.Common;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using B2BKpiApi.Data;
using B2BKpiApi.Ingest;
using B2BKpiApi.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace B2BKpiApi.Tests.Features;

/// <summary>
/// What the bulk write path (Ingest/BulkWriter) could get wrong that the resource and CSV tests do not
/// reach: chunks written before a later failure, server-set fields on update versus create, tenant
/// isolation of the upsert key, the stored format on SQLite, and statistics after a large load.
/// Runs on whichever provider the test run uses (SQLite, or PostgreSQL with KPI_TEST_POSTGRES).
/// </summary>
public sealed class BulkIngestTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    private static StringContent Csv(string text) => new(text, Encoding.UTF8, "text/csv");

    private List<T> Stored<T>(Guid tenantId) where T : TenantOwned =>
        factory.WithDb(db => db.Set<T>().IgnoreQueryFilters().AsNoTracking().Where(e => e.TenantId == tenantId).ToList());

    [Fact]
    public async Task An_import_never_touches_another_tenants_record_with_the_same_externalId()
    {
        using var owner = await factory.CreateTenantAsync();
        using var other = await factory.CreateTenantAsync();
        var original = await owner.Http.PostJson("/v1/costs",
            new { externalId = "shared", category = "cogs", amount = 10m, currency = "USD", incurredOn = "2026-01-01" }).Expect(HttpStatusCode.Created);

        var imported = await other.Http.PostAsync("/v1/costs/import",
            Csv("externalId,category,amount,currency,incurredOn\nshared,sales,99.99,USD,2026-03-01\n")).Expect(HttpStatusCode.OK);
        Assert.Equal(1, imported["created"]!.GetValue<int>());
        Assert.Equal(0, imported["updated"]!.GetValue<int>());

        var read = await owner.Http.GetAsync($"/v1/costs/{original["id"]}").Expect(HttpStatusCode.OK);
        Assert.True(JsonNode.DeepEquals(original, read), $"{original} became {read}");
        var theirs = Assert.Single(Stored<Cost>(other.TenantId));
        Assert.Equal(9999, theirs.AmountMinor);
        Assert.NotEqual(original["id"]!.GetValue<Guid>(), theirs.Id);
        Assert.Equal(10_00, Assert.Single(Stored<Cost>(owner.TenantId)).AmountMinor);
    }

    [Fact]
    public async Task A_multi_chunk_import_whose_last_row_names_a_missing_client_stores_none_of_the_written_chunks()
    {
        using var tenant = await factory.CreateTenantAsync();
        var client = await tenant.Http.PostJson("/v1/clients", new { name = "Initech", acquiredOn = "2025-01-01" }).Expect(HttpStatusCode.Created);
        const int rows = 12_000; // three chunks of 5,000: the first two are written before the third is checked
        var file = new StringBuilder("externalId,clientId,signedOn,startsOn,endsOn,value,currency,kind\n");
        for (var i = 0; i < rows; i++)
            file.Append(CultureInfo.InvariantCulture, $"k{i},{client["id"]},2026-01-01,2026-01-01,2026-12-31,100.10,USD,new\n");
        file.Append(CultureInfo.InvariantCulture, $"last,{Guid.NewGuid()},2026-01-01,2026-01-01,2026-12-31,100.10,USD,new\n");

        await tenant.Http.PostAsync("/v1/contracts/import", Csv(file.ToString()))
            .ExpectProblem(HttpStatusCode.BadRequest, $"rows[{rows + 2}].clientId");
        Assert.Empty(Stored<Contract>(tenant.TenantId));
    }

    [Fact]
    public async Task A_re_import_counts_updates_and_creates_and_advances_server_fields_only_on_a_change()
    {
        using var tenant = await factory.CreateTenantAsync();
        const string header = "externalId,category,amount,currency,incurredOn\n";
        await tenant.Http.PostAsync("/v1/costs/import", Csv(header + "a,cogs,1.00,USD,2026-01-01\nb,sales,2.00,USD,2026-01-02\n,overhead,3.00,USD,2026-01-03\n"))
            .Expect(HttpStatusCode.OK);
        var before = Stored<Cost>(tenant.TenantId).Where(c => c.ExternalId is not null).ToDictionary(c => c.ExternalId!);

        // a changes, b is sent unchanged, c is new, and the row without an externalId is created again.
        var again = await tenant.Http.PostAsync("/v1/costs/import",
            Csv(header + "a,cogs,1.50,USD,2026-01-01\nb,sales,2.00,USD,2026-01-02\nc,marketing,4.00,USD,2026-01-04\n,overhead,3.00,USD,2026-01-03\n"))
            .Expect(HttpStatusCode.OK);
        Assert.Equal(4, again["rows"]!.GetValue<int>());
        Assert.Equal(2, again["created"]!.GetValue<int>());
        Assert.Equal(2, again["updated"]!.GetValue<int>());

        var after = Stored<Cost>(tenant.TenantId);
        Assert.Equal(5, after.Count);
        Assert.Equal(2, after.Count(c => c.ExternalId is null));
        var a = after.Single(c => c.ExternalId == "a");
        var b = after.Single(c => c.ExternalId == "b");
        var c = after.Single(c => c.ExternalId == "c");

        Assert.Equal((before["a"].Id, before["a"].CreatedAt, 150L, 2), (a.Id, a.CreatedAt, a.AmountMinor, a.Version));
        Assert.True(a.UpdatedAt > before["a"].UpdatedAt, $"{a.UpdatedAt:O} should be after {before["a"].UpdatedAt:O}");
        // An update that changes nothing is no change, exactly as with SaveChanges.
        Assert.Equal((before["b"].Id, before["b"].CreatedAt, before["b"].UpdatedAt, 1), (b.Id, b.CreatedAt, b.UpdatedAt, b.Version));
        Assert.Equal((1, c.CreatedAt), (c.Version, c.UpdatedAt));
        Assert.All(after, cost =>
        {
            Assert.Equal(DateTimeKind.Utc, cost.CreatedAt.Kind);
            Assert.Equal(DateTimeKind.Utc, cost.UpdatedAt.Kind);
            Assert.InRange(cost.CreatedAt, DateTime.UtcNow.AddMinutes(-5), DateTime.UtcNow.AddMinutes(1));
            Assert.Equal(7, cost.Id.Version);
        });
    }

    [Fact]
    public async Task A_batch_answers_each_item_exactly_as_it_is_then_read_back()
    {
        using var tenant = await factory.CreateTenantAsync();
        var existing = await tenant.Http.PostJson("/v1/costs",
            new { externalId = "old", category = "cogs", amount = 10m, currency = "USD", incurredOn = "2026-01-01" }).Expect(HttpStatusCode.Created);
        var batch = new
        {
            items = new object[]
            {
                new { externalId = "old", category = "sales", amount = 11.5m, currency = "USD", incurredOn = "2026-01-01" },
                new { externalId = "new", category = "marketing", amount = 7m, currency = "USD", incurredOn = "2026-02-01" },
            },
        };
        var result = await tenant.Http.PostJson("/v1/costs/batch", batch).Expect(HttpStatusCode.OK);
        Assert.Equal((1, 1), (result["created"]!.GetValue<int>(), result["updated"]!.GetValue<int>()));

        var items = result["items"]!.AsArray();
        Assert.Equal(existing["id"]!.GetValue<string>(), items[0]!["id"]!.GetValue<string>());
        Assert.Equal(existing["createdAt"]!.GetValue<string>(), items[0]!["createdAt"]!.GetValue<string>());
        Assert.NotEqual(existing["updatedAt"]!.GetValue<string>(), items[0]!["updatedAt"]!.GetValue<string>());
        foreach (var item in items)
        {
            var read = await tenant.Http.GetAsync($"/v1/costs/{item!["id"]}").Expect(HttpStatusCode.OK);
            Assert.True(JsonNode.DeepEquals(item, read), $"answered {item}, stored {read}");
            Assert.EndsWith("Z", read["updatedAt"]!.GetValue<string>(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task On_sqlite_a_bulk_written_row_is_stored_in_the_same_format_as_one_saved_by_EF()
    {
        if (factory.Database.Provider != "sqlite")
            return; // PostgreSQL's typed columns (uuid, date, timestamptz) leave no format to differ in
        using var tenant = await factory.CreateTenantAsync();
        await tenant.Http.PostJson("/v1/costs",
            new { externalId = "by-ef", category = "direct-labor", amount = 1.25m, currency = "USD", incurredOn = "2026-01-01" }).Expect(HttpStatusCode.Created);
        await tenant.Http.PostAsync("/v1/costs/import",
            Csv("externalId,category,amount,currency,incurredOn\nby-bulk,direct-labor,1.25,USD,2026-01-01\n")).Expect(HttpStatusCode.OK);

        var shapes = factory.WithDb(db =>
        {
            var connection = db.Database.GetDbConnection();
            connection.Open();
            using var command = connection.CreateCommand();
            // The shape of every stored value: its SQLite type and, for text, its length, case or pattern.
            command.CommandText = """
                SELECT ExternalId,
                       typeof(Id) || length(Id) || (Id = upper(Id)) || typeof(TenantId) || length(TenantId) || (TenantId = upper(TenantId)) ||
                       typeof(CreatedAt) || (CreatedAt GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9] [0-9][0-9]:[0-9][0-9]:[0-9][0-9]*') || typeof(UpdatedAt) || typeof(Version) || Version ||
                       typeof(Category) || Category || typeof(AmountMinor) || AmountMinor || typeof(IncurredOn) || IncurredOn
                FROM Costs WHERE ExternalId IN ('by-bulk', 'by-ef') ORDER BY ExternalId
                """;
            using var reader = command.ExecuteReader();
            var rows = new List<(string, string)>();
            while (reader.Read())
                rows.Add((reader.GetString(0), reader.GetString(1)));
            return rows;
        });
        Assert.Equal(["by-bulk", "by-ef"], shapes.Select(s => s.Item1));
        Assert.Equal(shapes[1].Item2, shapes[0].Item2);
    }

    [Fact]
    public async Task A_large_import_leaves_fresh_planner_statistics_for_its_table()
    {
        using var tenant = await factory.CreateTenantAsync();
        var file = new StringBuilder("category,amount,currency,incurredOn\n");
        for (var i = 0; i < BulkWriter.RefreshStatisticsFromRows; i++)
            file.Append("overhead,1.00,USD,2026-01-01\n");
        await tenant.Http.PostAsync("/v1/surveys/import", Csv("kind,score,respondedOn\nnps,9,2026-01-01\n")).Expect(HttpStatusCode.OK);
        await tenant.Http.PostAsync("/v1/costs/import", Csv(file.ToString())).Expect(HttpStatusCode.OK);

        var (costs, surveys) = factory.WithDb(db =>
        {
            var connection = db.Database.GetDbConnection();
            connection.Open();
            return (Statistics(connection, "Costs"), Statistics(connection, "Surveys"));
        });
        Assert.True(costs >= BulkWriter.RefreshStatisticsFromRows, $"Costs statistics count {costs} rows");
        Assert.True(surveys <= 0, $"a one-row import should not analyze, yet Surveys statistics count {surveys} rows");
    }

    [Fact]
    public async Task The_SaveChanges_fallback_for_other_providers_upserts_with_the_same_semantics()
    {
        using var tenant = await factory.CreateTenantAsync();
        var existing = await tenant.Http.PostJson("/v1/costs",
            new { externalId = "kept", category = "cogs", amount = 10m, currency = "USD", incurredOn = "2026-01-01" }).Expect(HttpStatusCode.Created);

        var rows = new List<Cost>
        {
            new() { ExternalId = "kept", Category = CostCategory.Sales, AmountMinor = 1234, Currency = "USD", IncurredOn = new DateOnly(2026, 1, 1) },
            new() { ExternalId = "fresh", Category = CostCategory.Cogs, AmountMinor = 1, Currency = "USD", IncurredOn = new DateOnly(2026, 1, 2) },
            new() { Category = CostCategory.Cogs, AmountMinor = 2, Currency = "USD", IncurredOn = new DateOnly(2026, 1, 3) },
        };
        using (var scope = factory.Services.CreateScope())
        {
            scope.ServiceProvider.GetRequiredService<B2BKpiApi.Tenancy.TenantContext>().Resolve(tenant.TenantId, "USD", "manufacturing");
            var db = scope.ServiceProvider.GetRequiredService<KpiDbContext>();
            var transaction = await db.Database.BeginTransactionAsync();
            await using var session = new BulkSession<Cost>(db, transaction, new EfBulkUpsert<Cost>(db, BulkTable<Cost>.For(db.Model)),
                tenant.TenantId, TimeProvider.System);
            Assert.Equal(2, await session.WriteAsync(rows, default));
            await session.CommitAsync(default);
        }

        Assert.Equal(existing["id"]!.GetValue<Guid>(), rows[0].Id);
        var stored = Stored<Cost>(tenant.TenantId);
        Assert.Equal(3, stored.Count);
        var kept = stored.Single(c => c.ExternalId == "kept");
        Assert.Equal((rows[0].Id, 1234L, 2, rows[0].UpdatedAt), (kept.Id, kept.AmountMinor, kept.Version, kept.UpdatedAt));
        Assert.All(stored, c => Assert.Equal(tenant.TenantId, c.TenantId));
    }

    /// <summary>The row count the planner's statistics hold for a table (≤ 0 when it has none).</summary>
    private long Statistics(DbConnection connection, string table)
    {
        using var command = connection.CreateCommand();
        command.CommandText = factory.Database.Provider == "sqlite"
            ? $"SELECT coalesce((SELECT CAST(stat AS INTEGER) FROM sqlite_stat1 WHERE tbl = '{table}' LIMIT 1), 0)"
            : $"SELECT reltuples::bigint FROM pg_class WHERE relname = '{table}'";
        return Convert.ToInt64(command.ExecuteScalar(), CultureInfo.InvariantCulture);
    }
}
