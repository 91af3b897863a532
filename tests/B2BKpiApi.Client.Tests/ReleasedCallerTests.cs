using B2BKpiApi.Client.Tests.Infrastructure;

namespace B2BKpiApi.Client.Tests;

/// <summary>
/// Calls written for the released client (openapi/released/v1.json), with the cancellation token passed positionally,
/// reach the same operations as before: the overloads of KpiApiClient.Compat.g.cs forward with the parameters added
/// since at their defaults. (ReleasedV1Callers.g.cs, compiled with this project, covers every released operation.)
/// </summary>
public sealed class ReleasedCallerTests(KestrelApiServer server) : IClassFixture<KestrelApiServer>
{
    [Fact]
    public async Task A_released_caller_passing_the_cancellation_token_positionally_replaces_reads_kpis_and_deletes()
    {
        var tenant = await server.CreateTenantAsync();
        using var http = server.Connect(tenant.ApiKey);
        IKpiApiClient api = new KpiApiClient(http);
        using var cts = new CancellationTokenSource();
        var ct = cts.Token;

        var client = await api.CreateClientAsync(new ClientRequest { Name = "Initech", AcquiredOn = new DateOnly(2024, 6, 1) }, null, ct);
        // Released shape: ReplaceClientAsync(id, body, cancellationToken); If-Match came later.
        var replaced = await ReleasedV1Callers.ReplaceClientAsync(api, client.Id,
            new ClientRequest { Name = "Initech AG", AcquiredOn = new DateOnly(2024, 6, 1) }, ct);
        Assert.Equal("Initech AG", replaced.Name);

        // Released shape: GetKpiAsync(id, from, to, industry, segment, source, cancellationToken); compare came later.
        var active = await ReleasedV1Callers.GetKpiAsync(api, KpiId.ActiveClients, new DateOnly(2025, 1, 1), new DateOnly(2025, 3, 31),
            null, null, null, ct);
        Assert.Equal(1m, active.Value);
        Assert.Null(active.Comparison); // the defaults of the added parameters: no compare sent

        await api.DeleteClientAsync(client.Id, ct);
        var gone = await Assert.ThrowsAsync<ApiException<ProblemDetails>>(() => api.GetClientAsync(client.Id, ct));
        Assert.Equal(404, gone.StatusCode);
    }

    [Fact]
    public async Task A_cancelled_token_passed_positionally_through_a_released_shape_cancels_the_call()
    {
        var tenant = await server.CreateTenantAsync();
        using var http = server.Connect(tenant.ApiKey);
        var api = new KpiApiClient(http);
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            api.GetKpiSeriesAsync(KpiId.Revenue, new DateOnly(2025, 1, 1), new DateOnly(2025, 12, 31), SeriesInterval.Month, null, null, null, cts.Token));
    }
}
