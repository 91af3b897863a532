using B2BKpiApi.Tests.Infrastructure;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace B2BKpiApi.Tests.Features;

/// <summary>Every /v1 operation is a FastEndpoints endpoint in a file named after its operationId.</summary>
public sealed class EndpointLayoutTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    private List<RouteEndpoint> V1Endpoints() =>
        factory.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText!.TrimStart('/').StartsWith("v1/", StringComparison.Ordinal))
            .ToList();

    [Fact]
    public void No_v1_route_is_mapped_outside_FastEndpoints()
    {
        var endpoints = V1Endpoints();
        Assert.True(endpoints.Count >= 43, $"only {endpoints.Count} /v1 endpoints were found");
        foreach (var endpoint in endpoints)
            Assert.True(endpoint.Metadata.GetMetadata<FastEndpoints.EndpointDefinition>() is not null,
                $"{endpoint.DisplayName} ({endpoint.RoutePattern.RawText}) is not a FastEndpoints endpoint");
    }

    [Fact]
    public void Each_operation_is_a_class_named_after_its_operationId_in_its_feature_folder()
    {
        foreach (var endpoint in V1Endpoints())
        {
            var type = endpoint.Metadata.GetMetadata<FastEndpoints.EndpointDefinition>()!.EndpointType;
            var name = endpoint.Metadata.GetMetadata<IEndpointNameMetadata>()?.EndpointName;
            Assert.Equal(type.Name, name);
            Assert.StartsWith("B2BKpiApi.Features.", type.Namespace, StringComparison.Ordinal);
            var file = Path.Combine(Repo.Root, "src", "B2BKpiApi", "Features", type.Namespace!["B2BKpiApi.Features.".Length..], type.Name + ".cs");
            Assert.True(File.Exists(file), $"{name} is not in {file}");
        }
    }
}
