using B2BKpiApi.Data;
using B2BKpiApi.Features.Resources;

namespace B2BKpiApi.Features.Clients;

/// <summary>GET /v1/clients/{id}; the behaviour is <see cref="GetResource{TEntity, TRequest, TResponse}"/>'s.</summary>
public sealed class GetClient(KpiDbContext db)
    : GetResource<Client, ClientRequest, ClientResponse>(ClientResource.Definition, db);
