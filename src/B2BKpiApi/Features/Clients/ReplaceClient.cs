using B2BKpiApi.Data;
using B2BKpiApi.Features.Resources;

namespace B2BKpiApi.Features.Clients;

/// <summary>PUT /v1/clients/{id}; the behaviour is <see cref="ReplaceResource{TEntity, TRequest, TResponse}"/>'s.</summary>
public sealed class ReplaceClient(KpiDbContext db)
    : ReplaceResource<Client, ClientRequest, ClientResponse>(ClientResource.Definition, db);
