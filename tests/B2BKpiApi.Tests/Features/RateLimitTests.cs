using System.Net;
using B2BKpiApi.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;

namespace B2BKpiApi.Tests.Features;

public sealed class RateLimitTests(RateLimitTests.StrictFactory factory) : IClassFixture<RateLimitTests.StrictFactory>
{
    public sealed class StrictFactory : ApiFactory
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.UseSetting("RateLimiting:PermitsPerMinute", "3");
        }
    }

    [Fact]
    public async Task A_tenant_over_its_limit_gets_429_with_retry_after_and_another_tenant_does_not()
    {
        using var busy = await factory.CreateTenantAsync();
        using var quiet = await factory.CreateTenantAsync();
        for (var i = 0; i < 3; i++)
            await busy.Http.GetAsync("/v1/clients").Expect(HttpStatusCode.OK);

        using var refused = await busy.Http.GetAsync("/v1/clients");
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.True(refused.Headers.RetryAfter is not null, "429 carries Retry-After");
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);

        await quiet.Http.GetAsync("/v1/clients").Expect(HttpStatusCode.OK);
    }
}
