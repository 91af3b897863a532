using B2BKpiApi.Data;
using B2BKpiApi.Features.Resources;

namespace B2BKpiApi.Features.Contracts;

/// <summary>DELETE /v1/contracts/{id}; the behaviour is <see cref="DeleteResource{TEntity, TRequest, TResponse}"/>'s.</summary>
public sealed class DeleteContract(KpiDbContext db)
    : DeleteResource<Contract, ContractRequest, ContractResponse>(ContractResource.Definition, db);
