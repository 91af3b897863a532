using B2BKpiApi.Data;
using B2BKpiApi.Features.Resources;
using FluentValidation;

namespace B2BKpiApi.Features.Contracts;

/// <summary>POST /v1/contracts/batch; the behaviour is <see cref="BatchUpsertResource{TEntity, TRequest, TResponse}"/>'s.</summary>
public sealed class BatchUpsertContracts(KpiDbContext db, IValidator<ContractRequest> validator)
    : BatchUpsertResource<Contract, ContractRequest, ContractResponse>(ContractResource.Definition, db, validator);
