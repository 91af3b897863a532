using B2BKpiApi.Data;
using B2BKpiApi.Features.Resources;
using FastEndpoints;
using FluentValidation;
using Microsoft.AspNetCore.Http.HttpResults;

namespace B2BKpiApi.Features.Tenants;

/// <summary>POST /v1/tenants (operator key): a new tenant and its API key, shown only here.</summary>
public sealed class CreateTenant(KpiDbContext db, TimeProvider clock) : JsonBodyEndpoint<CreateTenant.Request, Created<CreateTenant.Response>>
{
    public sealed record Request(string? Name, string? Industry, string? Currency);

    public sealed class Validator : Validator<Request>
    {
        public Validator()
        {
            RuleFor(r => r.Name).NotEmpty().MaximumLength(200);
            RuleFor(r => r.Industry).NotEmpty().MaximumLength(200);
            RuleFor(r => r.Currency).NotEmpty().Matches("^[A-Z]{3}$")
                .WithMessage("'currency' must be an ISO 4217 code in capitals, like USD.");
        }
    }

    /// <summary>The new tenant and its API key. The key is shown only here: only its hash is stored.</summary>
    public new sealed record Response(Guid Id, string Name, string Industry, string Currency, DateTime CreatedAt, string ApiKey);

    public override void Configure()
    {
        Post("tenants");
        Group<OperatorApi>();
        AcceptJsonBodyOnly();
        Description(b => b.OperatorOperation(new Action<Request>(Signature))
            .WithTags("Tenants").WithName(nameof(CreateTenant))
            .WithSummary("Create a tenant and its API key (operator key)")
            .WithDescription("Needs the operator key from Auth:AdminApiKey in X-Api-Key. The answer holds the tenant's apiKey: " +
                             "it is shown once and stored only as a hash, so keep it.")
            .Accepts<Request>("application/json")
            .Produces<Response>(StatusCodes.Status201Created)
            .ProducesValidationProblem());
    }

    private static void Signature(Request request) { }

    public override async Task<Created<Response>> ExecuteAsync(Request request, CancellationToken ct)
    {
        var key = ApiKeys.Create();
        var tenant = new Tenant
        {
            Id = Guid.CreateVersion7(),
            Name = request.Name!.Trim(),
            Industry = request.Industry!.Trim().ToLowerInvariant(),
            Currency = request.Currency!,
            ApiKeyId = key.KeyId,
            ApiKeyHash = key.SecretHash,
            CreatedAt = KpiDbContext.Now(clock),
        };
        db.Tenants.Add(tenant);
        await db.SaveChangesAsync(ct);
        return TypedResults.Created($"/v1/tenants/{tenant.Id}",
            new Response(tenant.Id, tenant.Name, tenant.Industry, tenant.Currency, tenant.CreatedAt, key.Key));
    }
}
