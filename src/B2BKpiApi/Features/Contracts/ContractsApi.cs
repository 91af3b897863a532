using B2BKpiApi.Common;
using B2BKpiApi.Data;
using FluentValidation;

namespace B2BKpiApi.Features.Contracts;

/// <summary>A contract with one of the tenant's clients; its value is recognized evenly per day over startsOn..endsOn.</summary>
public sealed record ContractRequest(
    string? ExternalId, Guid? ClientId, DateOnly? SignedOn, DateOnly? StartsOn, DateOnly? EndsOn,
    decimal? Value, string? Currency, ContractKind? Kind)
    : IResourceRequest<Contract>
{
    Guid? IResourceRequest<Contract>.ReferencedClientId => ClientId;

    public static ContractRequest From(Contract c) =>
        new(c.ExternalId, c.ClientId, c.SignedOn, c.StartsOn, c.EndsOn, Money.FromMinor(c.ValueMinor), c.Currency, c.Kind);

    public void ApplyTo(Contract entity)
    {
        entity.ExternalId = ExternalId;
        entity.ClientId = ClientId!.Value;
        entity.SignedOn = SignedOn!.Value;
        entity.StartsOn = StartsOn!.Value;
        entity.EndsOn = EndsOn!.Value;
        entity.ValueMinor = Money.ToMinor(Value!.Value);
        entity.Currency = Currency!;
        entity.Kind = Kind!.Value;
    }

    public sealed class Validator : AbstractValidator<ContractRequest>
    {
        public Validator(TenantContext tenant)
        {
            RuleFor(r => r.ExternalId).ExternalId();
            RuleFor(r => r.ClientId).NotNull().NotEqual(Guid.Empty);
            RuleFor(r => r.SignedOn).NotNull().InRange();
            RuleFor(r => r.StartsOn).NotNull().InRange();
            RuleFor(r => r.EndsOn).NotNull().InRange().NotBefore(r => r.StartsOn, "startsOn");
            RuleFor(r => r.Value).NotNull().PositiveAmount();
            RuleFor(r => r.Currency).NotEmpty().TenantCurrency(tenant);
            RuleFor(r => r.Kind).NotNull();
        }
    }
}

public sealed record ContractResponse(
    Guid Id, string? ExternalId, Guid ClientId, DateOnly SignedOn, DateOnly StartsOn, DateOnly EndsOn,
    decimal Value, string Currency, ContractKind Kind, DateTime CreatedAt, DateTime UpdatedAt)
{
    public static ContractResponse From(Contract c) =>
        new(c.Id, c.ExternalId, c.ClientId, c.SignedOn, c.StartsOn, c.EndsOn, Money.FromMinor(c.ValueMinor), c.Currency, c.Kind,
            c.CreatedAt, c.UpdatedAt);
}

public static class ContractsApi
{
    public static RouteGroupBuilder MapContracts(this RouteGroupBuilder v1) =>
        v1.MapTenantResource(new ResourceDefinition<Contract, ContractRequest, ContractResponse>(
            "Contract", "Contracts", db => db.Contracts, c => c.SignedOn, ContractResponse.From, ContractRequest.From));
}
