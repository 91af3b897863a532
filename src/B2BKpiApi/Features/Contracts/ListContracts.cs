using B2BKpiApi.Data;
using B2BKpiApi.Features.Resources;

namespace B2BKpiApi.Features.Contracts;

/// <summary>GET /v1/contracts (JSON pages, or CSV); the behaviour is <see cref="ListResource{TEntity, TRequest, TResponse}"/>'s.</summary>
public sealed class ListContracts(KpiDbContext db)
    : ListResource<Contract, ContractRequest, ContractResponse>(ContractResource.Definition, db);
