using B2BKpiApi.Data;
using B2BKpiApi.Features.Resources;

namespace B2BKpiApi.Features.Contracts;

/// <summary>PUT /v1/contracts/{id}; the behaviour is <see cref="ReplaceResource{TEntity, TRequest, TResponse}"/>'s.</summary>
public sealed class ReplaceContract(KpiDbContext db)
    : ReplaceResource<Contract, ContractRequest, ContractResponse>(ContractResource.Definition, db);
