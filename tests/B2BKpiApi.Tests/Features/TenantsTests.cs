using System.Net;
using System.Text;
using B2BKpiApi.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace B2BKpiApi.Tests.Features;

public sealed class TenantsTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task The_operator_creates_a_tenant_and_gets_its_key_once()
    {
        using var admin = factory.CreateAdminClient();
        var created = await admin.PostJson("/v1/tenants", new { name = "Acme", industry = "Manufacturing", currency = "EUR" })
            .Expect(HttpStatusCode.Created);

        var key = created["apiKey"]!.GetValue<string>();
        Assert.StartsWith("kpi_", key, StringComparison.Ordinal);
        Assert.True(key.Length >= 60, "a key carries at least 256 bits of secret");
        Assert.Equal("manufacturing", created["industry"]!.GetValue<string>());
        Assert.Equal("EUR", created["currency"]!.GetValue<string>());
        Assert.EndsWith("Z", created["createdAt"]!.GetValue<string>(), StringComparison.Ordinal);

        // Only a hash is stored: no column holds the key or its secret half.
        var tenantId = Guid.Parse(created["id"]!.GetValue<string>());
        var stored = factory.WithDb(db => db.Tenants.IgnoreQueryFilters().Single(t => t.Id == tenantId));
        var secret = key[(key.IndexOf('_', "kpi_".Length) + 1)..];
        Assert.Equal(32, stored.ApiKeyHash.Length);
        Assert.DoesNotContain(secret, Encoding.UTF8.GetString(stored.ApiKeyHash), StringComparison.Ordinal);
        Assert.DoesNotContain(secret, stored.ApiKeyId, StringComparison.Ordinal);

        using var tenant = factory.CreateClient();
        tenant.DefaultRequestHeaders.Add("X-Api-Key", key);
        await tenant.GetAsync("/v1/clients").Expect(HttpStatusCode.OK);

        // The Location of the new tenant reads it back for the operator, without the key.
        var read = await admin.GetAsync($"/v1/tenants/{tenantId}").Expect(HttpStatusCode.OK);
        Assert.Equal("Acme", read["name"]!.GetValue<string>());
        Assert.Null(read["apiKey"]);
        await tenant.GetAsync($"/v1/tenants/{tenantId}").ExpectProblem(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task Creating_a_tenant_needs_the_operator_key()
    {
        using var anonymous = factory.CreateClient();
        var body = new { name = "Acme", industry = "saas", currency = "USD" };
        using (var response = await anonymous.PostJson("/v1/tenants", body))
            Assert.Contains("X-Api-Key", response.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
        await anonymous.PostJson("/v1/tenants", body).ExpectProblem(HttpStatusCode.Unauthorized);

        anonymous.DefaultRequestHeaders.Add("X-Api-Key", "wrong-admin-key");
        await anonymous.PostJson("/v1/tenants", body).ExpectProblem(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task A_tenant_key_is_refused_on_the_operator_route()
    {
        using var tenant = await factory.CreateTenantAsync();
        await tenant.Http.PostJson("/v1/tenants", new { name = "Evil", industry = "saas", currency = "USD" })
            .ExpectProblem(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task The_operator_key_is_not_a_tenant_key()
    {
        using var admin = factory.CreateAdminClient();
        await admin.GetAsync("/v1/clients").ExpectProblem(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task A_key_with_a_valid_id_but_a_wrong_secret_is_refused()
    {
        using var tenant = await factory.CreateTenantAsync();
        var forged = tenant.ApiKey[..(tenant.ApiKey.IndexOf('_', "kpi_".Length) + 1)] + new string('A', 43);
        using var attacker = factory.CreateClient();
        attacker.DefaultRequestHeaders.Add("X-Api-Key", forged);
        await attacker.GetAsync("/v1/clients").ExpectProblem(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Tenant_fields_are_validated_together()
    {
        using var admin = factory.CreateAdminClient();
        var problem = await admin.PostJson("/v1/tenants", new { name = "", currency = "dollars" }).ExpectProblem(HttpStatusCode.BadRequest);
        var errors = problem["errors"]!.AsObject();
        Assert.True(errors.ContainsKey("name"));
        Assert.True(errors.ContainsKey("industry"));
        Assert.True(errors.ContainsKey("currency"));
    }

    [Fact]
    public async Task Rotating_a_key_revokes_the_old_one_at_once()
    {
        using var tenant = await factory.CreateTenantAsync();
        await tenant.Http.PostJson("/v1/clients", new { name = "Kept", acquiredOn = "2026-01-01" }).Expect(HttpStatusCode.Created);
        using var admin = factory.CreateAdminClient();

        var rotated = await admin.PostAsync($"/v1/tenants/{tenant.TenantId}/api-key", null).Expect(HttpStatusCode.OK);
        var newKey = rotated["apiKey"]!.GetValue<string>();
        Assert.NotEqual(tenant.ApiKey, newKey);

        await tenant.Http.GetAsync("/v1/clients").ExpectProblem(HttpStatusCode.Unauthorized);
        using var renewed = factory.CreateClient();
        renewed.DefaultRequestHeaders.Add("X-Api-Key", newKey);
        var page = await renewed.GetAsync("/v1/clients").Expect(HttpStatusCode.OK);
        Assert.Single(page["items"]!.AsArray());
    }

    [Fact]
    public async Task Only_the_operator_rotates_keys_and_an_unknown_tenant_is_404()
    {
        using var tenant = await factory.CreateTenantAsync();
        await tenant.Http.PostAsync($"/v1/tenants/{tenant.TenantId}/api-key", null).ExpectProblem(HttpStatusCode.Forbidden);
        await tenant.Http.GetAsync("/v1/clients").Expect(HttpStatusCode.OK);
        using var admin = factory.CreateAdminClient();
        await admin.PostAsync($"/v1/tenants/{Guid.NewGuid()}/api-key", null).ExpectProblem(HttpStatusCode.NotFound);
    }
}
