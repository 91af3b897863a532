using B2BKpiApi.Data;
using B2BKpiApi.Features.Resources;

namespace B2BKpiApi.Features.Contracts;

/// <summary>GET /v1/contracts/{id}; the behaviour is <see cref="GetResource{TEntity, TRequest, TResponse}"/>'s.</summary>
public sealed class GetContract(KpiDbContext db)
    : GetResource<Contract, ContractRequest, ContractResponse>(ContractResource.Definition, db);
