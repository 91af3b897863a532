using B2BKpiApi.Data;
using B2BKpiApi.Features.Resources;
using FastEndpoints;
using FluentValidation;

namespace B2BKpiApi.Features.Leads;

/// <summary>A lead through the funnel: createdOn ≤ qualifiedOn ≤ opportunityOn ≤ closedOn, for the dates present.</summary>
public sealed record LeadRequest(
    string? ExternalId, DateOnly? CreatedOn, DateOnly? QualifiedOn, DateOnly? OpportunityOn, DateOnly? ClosedOn,
    LeadOutcome? Outcome, decimal? DealValue, string? Currency, string? Source)
    : IResourceRequest<Lead>
{
    public static LeadRequest From(Lead l) =>
        new(l.ExternalId, l.CreatedOn, l.QualifiedOn, l.OpportunityOn, l.ClosedOn, l.Outcome, Money.FromMinor(l.DealValueMinor), l.Currency, l.Source);

    public void ApplyTo(Lead entity)
    {
        entity.ExternalId = ExternalId;
        entity.CreatedOn = CreatedOn!.Value;
        entity.QualifiedOn = QualifiedOn;
        entity.OpportunityOn = OpportunityOn;
        entity.ClosedOn = ClosedOn;
        entity.Outcome = Outcome;
        entity.DealValueMinor = DealValue is { } v ? Money.ToMinor(v) : null;
        entity.Currency = Currency;
        entity.Source = Source;
    }

    public sealed class Validator : Validator<LeadRequest>
    {
        public Validator()
        {
            RuleFor(r => r.ExternalId).ExternalId();
            RuleFor(r => r.CreatedOn).NotNull().InRange();
            RuleFor(r => r.QualifiedOn).InRange().NotBefore(r => r.CreatedOn, "createdOn");
            RuleFor(r => r.OpportunityOn).InRange().NotBefore(r => r.CreatedOn, "createdOn").NotBefore(r => r.QualifiedOn, "qualifiedOn");
            RuleFor(r => r.ClosedOn).InRange().NotBefore(r => r.CreatedOn, "createdOn").NotBefore(r => r.QualifiedOn, "qualifiedOn")
                .NotBefore(r => r.OpportunityOn, "opportunityOn");
            RuleFor(r => r.Outcome).NotNull().When(r => r.ClosedOn is not null)
                .WithMessage("'outcome' is required when 'closedOn' is given.");
            RuleFor(r => r.Outcome).Null().When(r => r.ClosedOn is null)
                .WithMessage("'outcome' is allowed only with 'closedOn'.");
            RuleFor(r => r.DealValue).NotNull().When(r => r.Outcome == LeadOutcome.Won)
                .WithMessage("'dealValue' is required when the lead is won.");
            RuleFor(r => r.DealValue).PositiveAmount();
            RuleFor(r => r.Currency).NotEmpty().When(r => r.DealValue is not null)
                .WithMessage("'currency' is required when 'dealValue' is given.");
            RuleFor(r => r.Currency).TenantCurrency(Resolve<TenantContext>);
            RuleFor(r => r.Source).MaximumLength(200);
        }
    }
}

public sealed record LeadResponse(
    Guid Id, string? ExternalId, DateOnly CreatedOn, DateOnly? QualifiedOn, DateOnly? OpportunityOn, DateOnly? ClosedOn,
    LeadOutcome? Outcome, decimal? DealValue, string? Currency, string? Source, DateTime CreatedAt, DateTime UpdatedAt)
{
    public static LeadResponse From(Lead l) =>
        new(l.Id, l.ExternalId, l.CreatedOn, l.QualifiedOn, l.OpportunityOn, l.ClosedOn, l.Outcome, Money.FromMinor(l.DealValueMinor),
            l.Currency, l.Source, l.CreatedAt, l.UpdatedAt);
}

/// <summary>What the lead operations need to know; each operation is a file of this folder.</summary>
public static class LeadResource
{
    public static readonly ResourceDefinition<Lead, LeadRequest, LeadResponse> Definition = new(
        "Lead", "Leads", db => db.Leads, l => l.CreatedOn, LeadResponse.From, LeadRequest.From);
}
