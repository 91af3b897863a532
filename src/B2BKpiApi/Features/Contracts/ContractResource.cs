using B2BKpiApi.Data;
using B2BKpiApi.Features.Resources;
using FastEndpoints;
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

    public sealed class Validator : Validator<ContractRequest>
    {
        public Validator()
        {
            RuleFor(r => r.ExternalId).ExternalId();
            RuleFor(r => r.ClientId).NotNull().NotEqual(Guid.Empty);
            RuleFor(r => r.SignedOn).NotNull().InRange();
            RuleFor(r => r.StartsOn).NotNull().InRange();
            RuleFor(r => r.EndsOn).NotNull().InRange().NotBefore(r => r.StartsOn, "startsOn");
            RuleFor(r => r.Value).NotNull().PositiveAmount();
            RuleFor(r => r.Currency).NotEmpty().TenantCurrency(Resolve<TenantContext>);
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

/// <summary>What the contract operations need to know; each operation is a file of this folder.</summary>
public static class ContractResource
{
    public static readonly ResourceDefinition<Contract, ContractRequest, ContractResponse> Definition = new(
        "Contract", "Contracts", db => db.Contracts, c => c.SignedOn, ContractResponse.From, ContractRequest.From);
}
