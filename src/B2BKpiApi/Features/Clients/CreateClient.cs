using B2BKpiApi.Data;
using B2BKpiApi.Features.Resources;

namespace B2BKpiApi.Features.Clients;

/// <summary>POST /v1/clients; the behaviour is <see cref="CreateResource{TEntity, TRequest, TResponse}"/>'s.</summary>
public sealed class CreateClient(KpiDbContext db)
    : CreateResource<Client, ClientRequest, ClientResponse>(ClientResource.Definition, db);
