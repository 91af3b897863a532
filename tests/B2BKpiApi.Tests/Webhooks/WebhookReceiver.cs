using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace B2BKpiApi.Tests.Webhooks;

/// <summary>What a receiver answers to the n-th request (1-based) it got on a path.</summary>
public sealed record Reply(int Status = 200, string? RetryAfter = null, TimeSpan Delay = default, string? Location = null);

/// <summary>One request the receiver got, with what it answered.</summary>
public sealed record Received(string Path, string WebhookId, string Timestamp, string Signature, string? ContentType, string? UserAgent,
    string Body, DateTime At, int Answered)
{
    public IReadOnlyDictionary<string, string> Headers => new Dictionary<string, string>
    {
        ["webhook-id"] = WebhookId, ["webhook-timestamp"] = Timestamp, ["webhook-signature"] = Signature,
    };
}

/// <summary>A real HTTP receiver (Kestrel) on a free loopback port, recording every request it gets.</summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<Received> _received = new();
    private readonly ConcurrentDictionary<string, int> _counts = new();

    /// <summary>Decides the answer; by default every request gets a 200.</summary>
    public Func<string, int, Reply> Behaviour { get; set; } = (_, _) => new Reply();

    private WebhookReceiver(WebApplication app) => _app = app;

    public Uri BaseAddress { get; private set; } = null!;

    public string Url(string path) => new Uri(BaseAddress, path).ToString();

    public IReadOnlyList<Received> Requests => _received.ToArray();

    public IReadOnlyList<Received> On(string path) => _received.Where(r => r.Path == "/" + path.TrimStart('/')).ToList();

    public static async Task<WebhookReceiver> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel(o => o.Listen(IPAddress.Loopback, 0));
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var receiver = new WebhookReceiver(app);
        app.Run(receiver.HandleAsync);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        receiver.BaseAddress = new Uri(address.TrimEnd('/') + "/");
        return receiver;
    }

    private async Task HandleAsync(HttpContext context)
    {
        var path = context.Request.Path.Value ?? "/";
        var n = _counts.AddOrUpdate(path, 1, (_, c) => c + 1);
        using var reader = new StreamReader(context.Request.Body);
        var body = await reader.ReadToEndAsync();
        var reply = Behaviour(path, n);
        var headers = context.Request.Headers;
        _received.Enqueue(new Received(path, headers["webhook-id"].ToString(), headers["webhook-timestamp"].ToString(),
            headers["webhook-signature"].ToString(), headers.ContentType.ToString(), headers.UserAgent.ToString(), body,
            DateTime.UtcNow, reply.Delay > TimeSpan.Zero ? 0 : reply.Status));
        if (reply.Delay > TimeSpan.Zero)
        {
            try
            {
                await Task.Delay(reply.Delay, context.RequestAborted);
            }
            catch (OperationCanceledException)
            {
                return; // the sender gave up (its timeout): that is the point of the delay
            }
        }
        context.Response.StatusCode = reply.Status;
        if (reply.RetryAfter is not null)
            context.Response.Headers.RetryAfter = reply.RetryAfter;
        if (reply.Location is not null)
            context.Response.Headers.Location = reply.Location;
    }

    /// <summary>Waits until <paramref name="condition"/> holds for the requests received, or fails after the deadline.</summary>
    public async Task<IReadOnlyList<Received>> WaitForAsync(Func<IReadOnlyList<Received>, bool> condition, string what, TimeSpan? within = null)
    {
        var deadline = DateTime.UtcNow + (within ?? TimeSpan.FromSeconds(30));
        while (true)
        {
            var snapshot = Requests;
            if (condition(snapshot))
                return snapshot;
            if (DateTime.UtcNow > deadline)
                Assert.Fail($"Timed out waiting for: {what}. Received {snapshot.Count}: " +
                            string.Join("; ", snapshot.Select(r => $"{r.Path} {r.WebhookId} -> {r.Answered}")));
            await Task.Delay(50);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
