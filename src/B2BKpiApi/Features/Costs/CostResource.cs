using B2BKpiApi.Data;
using B2BKpiApi.Features.Resources;
using FastEndpoints;
using FluentValidation;

namespace B2BKpiApi.Features.Costs;

/// <summary>A cost the tenant incurred on one day, in one category.</summary>
public sealed record CostRequest(string? ExternalId, CostCategory? Category, decimal? Amount, string? Currency, DateOnly? IncurredOn)
    : IResourceRequest<Cost>
{
    public static CostRequest From(Cost c) => new(c.ExternalId, c.Category, Money.FromMinor(c.AmountMinor), c.Currency, c.IncurredOn);

    public void ApplyTo(Cost entity)
    {
        entity.ExternalId = ExternalId;
        entity.Category = Category!.Value;
        entity.AmountMinor = Money.ToMinor(Amount!.Value);
        entity.Currency = Currency!;
        entity.IncurredOn = IncurredOn!.Value;
    }

    public sealed class Validator : Validator<CostRequest>
    {
        public Validator()
        {
            RuleFor(r => r.ExternalId).ExternalId();
            RuleFor(r => r.Category).NotNull();
            RuleFor(r => r.Amount).NotNull().PositiveAmount();
            RuleFor(r => r.Currency).NotEmpty().TenantCurrency(Resolve<TenantContext>);
            RuleFor(r => r.IncurredOn).NotNull().InRange();
        }
    }
}

public sealed record CostResponse(
    Guid Id, string? ExternalId, CostCategory Category, decimal Amount, string Currency, DateOnly IncurredOn,
    DateTime CreatedAt, DateTime UpdatedAt)
{
    public static CostResponse From(Cost c) =>
        new(c.Id, c.ExternalId, c.Category, Money.FromMinor(c.AmountMinor), c.Currency, c.IncurredOn, c.CreatedAt, c.UpdatedAt);
}

/// <summary>What the cost operations need to know; each operation is a file of this folder.</summary>
public static class CostResource
{
    public static readonly ResourceDefinition<Cost, CostRequest, CostResponse> Definition = new(
        "Cost", "Costs", db => db.Costs, c => c.IncurredOn, CostResponse.From, CostRequest.From);
}
