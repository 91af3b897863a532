using B2BKpiApi.Data;
using B2BKpiApi.Features.Resources;
using FastEndpoints;
using FluentValidation;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace B2BKpiApi.Features.PeerBenchmarks;

/// <summary>PUT /v1/settings/peer-benchmarks: opts the tenant in or out and sets the industry it is compared within.</summary>
public sealed class ReplacePeerBenchmarkSettings(KpiDbContext db, TenantContext tenant, TimeProvider clock)
    : JsonBodyEndpoint<ReplacePeerBenchmarkSettings.Request, Results<Ok<PeerBenchmarkSettingsResponse>, ValidationProblem, ProblemHttpResult>>
{
    /// <summary><c>sizeBand</c> may be sent back as read (a GET's answer can be PUT again) but not changed: it is derived.</summary>
    public sealed record Request(bool? OptIn, string? Industry, string? SizeBand);

    public sealed class Validator : Validator<Request>
    {
        public Validator()
        {
            RuleFor(r => r.OptIn).NotNull().WithMessage("'optIn' is required (true or false).");
            RuleFor(r => r.Industry).Must(i => i is null || i.Trim().Length > 0).WithMessage("'industry' must not be blank (leave it out for the tenant's own).")
                .MaximumLength(200);
        }
    }

    public override void Configure()
    {
        Put("settings/peer-benchmarks");
        Group<TenantApi>();
        AcceptJsonBodyOnly();
        Description(b => b.TenantOperation(new Action<Request>(Signature))
            .WithTags("Peer benchmarks").WithName(nameof(ReplacePeerBenchmarkSettings))
            .WithSummary("Opt in to (or out of) peer benchmarks")
            .WithDescription("optIn is required. industry (lowercase; left out: the tenant's own) is the industry the tenant is compared " +
                             "within. sizeBand is derived from the tenant's active client count: it may be sent back as read, any other " +
                             "value is refused. Opting out takes effect at once for what the tenant sees, and its values leave the peer " +
                             "figures at the next computation (daily, or when the operator refreshes).")
            .Accepts<Request>("application/json")
            .Produces<PeerBenchmarkSettingsResponse>()
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status409Conflict));
    }

    private static void Signature(Request request) { }

    public override async Task<Results<Ok<PeerBenchmarkSettingsResponse>, ValidationProblem, ProblemHttpResult>> ExecuteAsync(
        Request request, CancellationToken ct)
    {
        var (stored, current) = await PeerBenchmarkSettingsResponse.ReadAsync(db, tenant, clock, track: true, ct);
        if (request.SizeBand is { } sent && sent != current.SizeBand)
            return Problems.Invalid("sizeBand",
                $"'sizeBand' is derived from the tenant's active client count (now {current.SizeBand}) and cannot be set; leave it out.");
        var industry = request.Industry?.Trim().ToLowerInvariant() ?? tenant.Industry;
        if (stored is null)
        {
            stored = new PeerBenchmarkSetting { Id = Guid.CreateVersion7() };
            db.PeerBenchmarkSettings.Add(stored);
        }
        stored.OptIn = request.OptIn!.Value;
        stored.Industry = industry;
        stored.SizeBand = current.SizeBand;
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException)
        {
            // Two first PUTs of one tenant at once: the unique index keeps one row; the other is told to try again.
            return ResourceChecks.ChangedMeanwhile();
        }
        return TypedResults.Ok(new PeerBenchmarkSettingsResponse(stored.OptIn, stored.Industry, stored.SizeBand));
    }
}
