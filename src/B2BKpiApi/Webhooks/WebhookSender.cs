using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Options;
using Polly;
using Polly.CircuitBreaker;
using Polly.Registry;
using Polly.Retry;
using Polly.Timeout;

namespace B2BKpiApi.Webhooks;

/// <summary>One HTTP attempt as it is stored (<see cref="Data.WebhookAttempt"/>).</summary>
public sealed record AttemptRecord(DateTime StartedAt, int DurationMs, int? ResponseStatus, string? Error);

/// <summary>The result of one scheduled delivery attempt, after the in-process retries.</summary>
public sealed record SendOutcome(bool Succeeded, int? ResponseStatus, string? Error, IReadOnlyList<AttemptRecord> Attempts);

/// <summary>
/// Sends one signed request through a Polly pipeline kept per endpoint: retries with exponential back-off and jitter
/// on timeouts, network errors, 408, 429 (honouring <c>Retry-After</c>) and 5xx, outside a circuit breaker keyed by
/// the endpoint's id (so one failing receiver never stops the others), outside a per-attempt timeout. The
/// connection goes through the SSRF guard; redirects are not followed and no proxy is used.
/// </summary>
public sealed class WebhookSender : IDisposable
{
    public const string UserAgent = "B2BKpiApi-Webhooks/1.0";

    private readonly HttpClient _http;
    private readonly ResiliencePipelineRegistry<Guid> _pipelines = new();
    private readonly WebhookOptions _options;
    private readonly TimeProvider _clock;

    public WebhookSender(WebhookUrlGuard guard, IOptions<WebhookOptions> options, TimeProvider clock)
    {
        _options = options.Value;
        _clock = clock;
        var handler = new SocketsHttpHandler
        {
            // A 3xx is the receiver's answer, recorded as a failed attempt: following it could lead anywhere.
            AllowAutoRedirect = false,
            UseProxy = false,
            UseCookies = false,
            PooledConnectionLifetime = TimeSpan.FromMinutes(2),
            ConnectTimeout = _options.AttemptTimeout,
            // Checked at every connection, not only at registration: DNS may answer differently now (rebinding).
            ConnectCallback = async (context, ct) =>
            {
                var addresses = await guard.AllowedAddressesAsync(context.DnsEndPoint.Host, ct);
                var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                try
                {
                    await socket.ConnectAsync(addresses, context.DnsEndPoint.Port, ct);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        };
        _http = new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
    }

    public async Task<SendOutcome> SendAsync(Guid endpointId, Uri url, string webhookId, string body,
        IReadOnlyList<string> secrets, CancellationToken ct)
    {
        var attempts = new List<AttemptRecord>();
        var pipeline = _pipelines.GetOrAddPipeline<HttpStatusResult>(endpointId, Build);
        try
        {
            var result = await pipeline.ExecuteAsync(async token => await SendOnceAsync(url, webhookId, body, secrets, attempts, ct, token), ct);
            var ok = result.Status is >= 200 and < 300;
            return new SendOutcome(ok, result.Status, ok ? null : $"HTTP {result.Status}", attempts);
        }
        catch (BrokenCircuitException)
        {
            const string error = "Not sent: the circuit breaker of this endpoint is open after repeated failures.";
            attempts.Add(new AttemptRecord(Data.KpiDbContext.Now(_clock), 0, null, error));
            return new SendOutcome(false, null, error, attempts);
        }
        catch (Exception e) when (!ct.IsCancellationRequested && e is TimeoutRejectedException or HttpRequestException or IOException)
        {
            return new SendOutcome(false, null, attempts.LastOrDefault()?.Error ?? ConnectionFailed, attempts);
        }
    }

    private async Task<HttpStatusResult> SendOnceAsync(Uri url, string webhookId, string body, IReadOnlyList<string> secrets,
        List<AttemptRecord> attempts, CancellationToken outer, CancellationToken token)
    {
        var started = Data.KpiDbContext.Now(_clock);
        var watch = Stopwatch.StartNew();
        var timestamp = _clock.GetUtcNow().ToUnixTimeSeconds();
        using var request = new HttpRequestMessage(HttpMethod.Post, url);
        request.Headers.TryAddWithoutValidation("webhook-id", webhookId);
        request.Headers.TryAddWithoutValidation("webhook-timestamp", timestamp.ToString(System.Globalization.CultureInfo.InvariantCulture));
        request.Headers.TryAddWithoutValidation("webhook-signature", WebhookSecrets.SignatureHeader(secrets, webhookId, timestamp, body));
        request.Headers.TryAddWithoutValidation("User-Agent", UserAgent);
        request.Content = new ByteArrayContent(Encoding.UTF8.GetBytes(body));
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        try
        {
            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, token);
            var status = (int)response.StatusCode;
            attempts.Add(new AttemptRecord(started, Elapsed(watch), status, status is >= 200 and < 300 ? null : $"HTTP {status}"));
            return new HttpStatusResult(status, RetryAfter(response));
        }
        catch (OperationCanceledException) when (!outer.IsCancellationRequested)
        {
            attempts.Add(new AttemptRecord(started, Elapsed(watch), null, TimedOut));
            throw;
        }
        catch (HttpRequestException e)
        {
            attempts.Add(new AttemptRecord(started, Elapsed(watch), null, Describe(e)));
            throw;
        }
    }

    private static int Elapsed(Stopwatch watch) => (int)Math.Min(int.MaxValue, watch.ElapsedMilliseconds);

    /// <summary>The only words a failed attempt without an HTTP status is described with (besides the SSRF guard's refusal).</summary>
    public const string ConnectionFailed = "connection failed";

    public const string TlsFailed = "TLS failed";

    public const string TimedOut = "timeout";

    /// <summary>
    /// Why a request failed, in three words that hold no secret, no server internals and nothing of what a non-HTTP
    /// service answered: a refused port, a reset, a service that is not HTTP (SSH, SMTP…) and a name that does not
    /// resolve all read "connection failed", so the deliveries listing and the test answer are no port-scan oracle.
    /// </summary>
    private static string Describe(HttpRequestException e) => FindRefusal(e) is { } refused
        ? $"Refused before connecting: the URL {refused.Message}"
        : e.HttpRequestError == HttpRequestError.SecureConnectionError ? TlsFailed : ConnectionFailed;

    private static WebhookAddressRefusedException? FindRefusal(Exception? e)
    {
        for (; e is not null; e = e.InnerException)
            if (e is WebhookAddressRefusedException refused)
                return refused;
        return null;
    }

    private TimeSpan? RetryAfter(HttpResponseMessage response)
    {
        var header = response.Headers.RetryAfter;
        TimeSpan? wait = header?.Delta ?? (header?.Date is { } date ? date - _clock.GetUtcNow() : null);
        if (wait is not { } value)
            return null;
        if (value < TimeSpan.Zero)
            value = TimeSpan.Zero;
        return value > _options.MaxRetryAfter ? _options.MaxRetryAfter : value;
    }

    private static bool Transient(HttpStatusResult r) => r.Status is 408 or 429 or >= 500;

    private void Build(ResiliencePipelineBuilder<HttpStatusResult> builder)
    {
        var shouldHandle = new PredicateBuilder<HttpStatusResult>()
            .Handle<TimeoutRejectedException>()
            .Handle<HttpRequestException>(e => FindRefusal(e) is null)
            .HandleResult(Transient);
        if (_options.MaxRetries > 0)
        {
            builder.AddRetry(new RetryStrategyOptions<HttpStatusResult>
            {
                ShouldHandle = shouldHandle,
                MaxRetryAttempts = _options.MaxRetries,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = _options.RetryBaseDelay,
                MaxDelay = _options.RetryMaxDelay,
                // A receiver that says when to come back is believed (up to MaxRetryAfter); otherwise the back-off.
                DelayGenerator = args => ValueTask.FromResult(args.Outcome.Result?.RetryAfter),
            });
        }
        builder.AddCircuitBreaker(new CircuitBreakerStrategyOptions<HttpStatusResult>
        {
            ShouldHandle = shouldHandle,
            FailureRatio = _options.BreakerFailureRatio,
            MinimumThroughput = _options.BreakerMinimumThroughput,
            SamplingDuration = _options.BreakerSamplingDuration,
            BreakDuration = _options.BreakerBreakDuration,
        });
        builder.AddTimeout(_options.AttemptTimeout);
    }

    public void Dispose()
    {
        _http.Dispose();
        _pipelines.Dispose();
    }

    /// <summary>What the pipeline sees of a response: its status and the Retry-After it asked for (already capped).</summary>
    private sealed record HttpStatusResult(int Status, TimeSpan? RetryAfter);
}
