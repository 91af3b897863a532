using B2BKpiApi.Data;
using B2BKpiApi.Features.Resources;

namespace B2BKpiApi.Features.Clients;

/// <summary>GET /v1/clients (JSON pages, or CSV); the behaviour is <see cref="ListResource{TEntity, TRequest, TResponse}"/>'s.</summary>
public sealed class ListClients(KpiDbContext db)
    : ListResource<Client, ClientRequest, ClientResponse>(ClientResource.Definition, db);
