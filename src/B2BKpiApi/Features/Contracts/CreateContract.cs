using B2BKpiApi.Data;
using B2BKpiApi.Features.Resources;

namespace B2BKpiApi.Features.Contracts;

/// <summary>POST /v1/contracts; the behaviour is <see cref="CreateResource{TEntity, TRequest, TResponse}"/>'s.</summary>
public sealed class CreateContract(KpiDbContext db)
    : CreateResource<Contract, ContractRequest, ContractResponse>(ContractResource.Definition, db);
