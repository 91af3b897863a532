using B2BKpiApi.Data;
using B2BKpiApi.Features.Resources;

namespace B2BKpiApi.Features.Clients;

/// <summary>DELETE /v1/clients/{id}; the behaviour is <see cref="DeleteResource{TEntity, TRequest, TResponse}"/>'s.</summary>
public sealed class DeleteClient(KpiDbContext db)
    : DeleteResource<Client, ClientRequest, ClientResponse>(ClientResource.Definition, db);
