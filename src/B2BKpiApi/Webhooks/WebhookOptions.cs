namespace B2BKpiApi.Webhooks;

/// <summary>
/// The <c>Webhooks</c> configuration section. Every resilience value is explicit here rather than left to Polly's
/// defaults (3 constant 2 s retries, a breaker that needs 100 calls), so what a receiver experiences is documented.
/// </summary>
public sealed class WebhookOptions
{
    public const string Section = "Webhooks";

    /// <summary>Allows <c>http</c> URLs and loopback addresses, for development and tests; refused in Production.</summary>
    public bool AllowLoopbackHttp { get; set; }

    /// <summary>False on instances that only answer requests; read at start-up (see WebhookServices). At least one instance must deliver.</summary>
    public bool RunDeliveryWorker { get; set; } = true;

    /// <summary>Where the Data Protection key ring that encrypts signing secrets is kept (default: beside the SQLite file, or <c>data/</c>).</summary>
    public string? KeysDirectory { get; set; }

    /// <summary>
    /// The delays before each durable re-attempt after a failed one; once all are used the delivery is <c>failed</c>.
    /// Null (not an empty default) because the configuration binder appends to an array that already has items.
    /// </summary>
    public TimeSpan[]? RetrySchedule { get; set; }

    public static readonly TimeSpan[] DefaultRetrySchedule =
    [
        TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(30),
        TimeSpan.FromHours(2), TimeSpan.FromHours(8), TimeSpan.FromHours(24),
    ];

    public IReadOnlyList<TimeSpan> Schedule => RetrySchedule is { Length: > 0 } schedule ? schedule : DefaultRetrySchedule;

    /// <summary>How often the worker looks for due deliveries when nothing woke it.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Due deliveries taken per round.</summary>
    public int BatchSize { get; set; } = 50;

    /// <summary>Endpoints served at once by one worker (each endpoint's deliveries go one after another, in order).</summary>
    public int MaxParallelEndpoints { get; set; } = 4;

    /// <summary>The longest one HTTP attempt may take, until the response headers.</summary>
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>In-process retries after the first try (timeouts, network errors, 408, 429, 5xx), before rescheduling durably.</summary>
    public int MaxRetries { get; set; } = 2;

    /// <summary>The first retry's delay; it doubles with each retry, with jitter.</summary>
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromSeconds(1);

    public TimeSpan RetryMaxDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>A receiver's <c>Retry-After</c> is honoured up to this; a longer one is left to the durable schedule.</summary>
    public TimeSpan MaxRetryAfter { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>The per-endpoint breaker opens when this share of the calls in the sampling window failed…</summary>
    public double BreakerFailureRatio { get; set; } = 0.5;

    /// <summary>…and at least this many calls were made in it.</summary>
    public int BreakerMinimumThroughput { get; set; } = 4;

    public TimeSpan BreakerSamplingDuration { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>How long an open breaker refuses calls before letting one through.</summary>
    public TimeSpan BreakerBreakDuration { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>An endpoint whose deliveries have failed without a success for this long is disabled.</summary>
    public TimeSpan DisableAfter { get; set; } = TimeSpan.FromDays(3);

    /// <summary>How long the secret before a rotation keeps signing beside the new one.</summary>
    public TimeSpan SecretOverlap { get; set; } = TimeSpan.FromHours(24);

    /// <summary>Messages (with their deliveries and attempts) older than this are deleted.</summary>
    public TimeSpan Retention { get; set; } = TimeSpan.FromDays(30);

    /// <summary>How often the worker deletes what is past the retention period (and once at start-up).</summary>
    public TimeSpan CleanupInterval { get; set; } = TimeSpan.FromHours(1);

    /// <summary>
    /// How long a worker owns a delivery it claimed: longer than the whole in-process pipeline can take, so a live
    /// worker never loses its claim, while a crashed worker's claim lapses and another instance picks the delivery up.
    /// </summary>
    public TimeSpan ClaimLease =>
        AttemptTimeout * (MaxRetries + 1) + (MaxRetryAfter > RetryMaxDelay ? MaxRetryAfter : RetryMaxDelay) * MaxRetries + TimeSpan.FromSeconds(30);
}
