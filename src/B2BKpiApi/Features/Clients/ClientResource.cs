using B2BKpiApi.Data;
using B2BKpiApi.Features.Resources;
using FastEndpoints;
using FluentValidation;
using Microsoft.EntityFrameworkCore;

namespace B2BKpiApi.Features.Clients;

/// <summary>A client of the tenant: active on day d when acquiredOn ≤ d and (churnedOn is null or churnedOn &gt; d).</summary>
public sealed record ClientRequest(
    string? ExternalId, string? Name, DateOnly? AcquiredOn, DateOnly? ChurnedOn, string? Industry, string? Segment)
    : IResourceRequest<Client>
{
    public static ClientRequest From(Client c) => new(c.ExternalId, c.Name, c.AcquiredOn, c.ChurnedOn, c.Industry, c.Segment);

    public void ApplyTo(Client entity)
    {
        entity.ExternalId = ExternalId;
        entity.Name = Name!.Trim();
        entity.AcquiredOn = AcquiredOn!.Value;
        entity.ChurnedOn = ChurnedOn;
        entity.Industry = Industry;
        entity.Segment = Segment;
    }

    public sealed class Validator : Validator<ClientRequest>
    {
        public Validator()
        {
            RuleFor(r => r.ExternalId).ExternalId();
            RuleFor(r => r.Name).NotEmpty().MaximumLength(200);
            RuleFor(r => r.AcquiredOn).NotNull().InRange();
            RuleFor(r => r.ChurnedOn).InRange().NotBefore(r => r.AcquiredOn, "acquiredOn");
            RuleFor(r => r.Industry).MaximumLength(200);
            RuleFor(r => r.Segment).MaximumLength(200);
        }
    }
}

public sealed record ClientResponse(
    Guid Id, string? ExternalId, string Name, DateOnly AcquiredOn, DateOnly? ChurnedOn, string? Industry, string? Segment,
    DateTime CreatedAt, DateTime UpdatedAt)
{
    public static ClientResponse From(Client c) =>
        new(c.Id, c.ExternalId, c.Name, c.AcquiredOn, c.ChurnedOn, c.Industry, c.Segment, c.CreatedAt, c.UpdatedAt);
}

/// <summary>What the client operations need to know; each operation is a file of this folder.</summary>
public static class ClientResource
{
    public static readonly ResourceDefinition<Client, ClientRequest, ClientResponse> Definition = new(
        "Client", "Clients", db => db.Clients, c => c.AcquiredOn, ClientResponse.From, ClientRequest.From)
    {
        DeleteConflict = async (db, id, ct) =>
            await db.Contracts.AnyAsync(c => c.ClientId == id, ct) || await db.Surveys.AnyAsync(s => s.ClientId == id, ct)
                ? "Contracts or surveys still name this client: delete them first, or set churnedOn to end the relationship."
                : null,
    };
}
