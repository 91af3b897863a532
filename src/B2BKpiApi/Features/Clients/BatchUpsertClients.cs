using B2BKpiApi.Data;
using B2BKpiApi.Features.Resources;
using FluentValidation;

namespace B2BKpiApi.Features.Clients;

/// <summary>POST /v1/clients/batch; the behaviour is <see cref="BatchUpsertResource{TEntity, TRequest, TResponse}"/>'s.</summary>
public sealed class BatchUpsertClients(KpiDbContext db, IValidator<ClientRequest> validator)
    : BatchUpsertResource<Client, ClientRequest, ClientResponse>(ClientResource.Definition, db, validator);
