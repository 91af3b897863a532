using System.Globalization;
using System.Net;
using System.Text;
using B2BKpiApi.Tests.Infrastructure;

namespace B2BKpiApi.Tests.Caching;

/// <summary>The tenant's data version moves exactly with its committed writes: once per write, never for a refused one.</summary>
public sealed class DataVersionTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task Each_committed_write_raises_the_version_once_and_concurrent_writers_all_commit()
    {
        using var tenant = await factory.CreateTenantAsync();
        using var neighbour = await factory.CreateTenantAsync();
        long Version(Guid id) => factory.WithDb(db => db.Tenants.Single(t => t.Id == id).DataVersion);
        var start = Version(tenant.TenantId);

        await tenant.Http.PostJson("/v1/leads/batch",
            new { items = Enumerable.Range(0, 3).Select(i => KpiResponseCacheTests.Lead($"b{i}", "2026-02-01")).ToArray() }).Expect(HttpStatusCode.OK);
        Assert.Equal(start + 1, Version(tenant.TenantId));

        // 2,500 rows are saved in three chunks, in one transaction: one write, one bump.
        var csv = new StringBuilder("externalId,createdOn,qualifiedOn\n");
        for (var i = 0; i < 2500; i++)
            csv.Append(CultureInfo.InvariantCulture, $"c{i},2026-01-02,2026-01-05\n");
        await tenant.Http.PostAsync("/v1/leads/import", new StringContent(csv.ToString(), Encoding.UTF8, "text/csv")).Expect(HttpStatusCode.OK);
        Assert.Equal(start + 2, Version(tenant.TenantId));

        // Refused writes (a duplicate externalId, an invalid file) store nothing and keep the version.
        await tenant.Http.PostJson("/v1/leads", KpiResponseCacheTests.Lead("b0", "2026-02-01")).Expect(HttpStatusCode.Conflict);
        await tenant.Http.PostAsync("/v1/leads/import", new StringContent("externalId,createdOn\nz1,2026-01-02\nz2,not-a-date\n",
            Encoding.UTF8, "text/csv")).Expect(HttpStatusCode.BadRequest);
        Assert.Equal(start + 2, Version(tenant.TenantId));

        // Concurrent writers of one tenant queue on its version row and all commit: no deadlock, no lost bump.
        var creates = await Task.WhenAll(Enumerable.Range(0, 8).Select(i =>
            tenant.Http.PostJson("/v1/leads", KpiResponseCacheTests.Lead($"p{i}", "2026-02-01"))));
        Assert.All(creates, r => Assert.Equal(HttpStatusCode.Created, r.StatusCode));
        Assert.Equal(start + 10, Version(tenant.TenantId));
        Assert.Equal(0, Version(neighbour.TenantId));
        foreach (var response in creates)
            response.Dispose();
    }
}
