using B2BKpiApi.Data;
using B2BKpiApi.Features.Resources;
using FluentValidation;

namespace B2BKpiApi.Features.Contracts;

/// <summary>POST /v1/contracts/import (text/csv); the behaviour is <see cref="ImportResource{TEntity, TRequest, TResponse}"/>'s.</summary>
public sealed class ImportContracts(KpiDbContext db, IValidator<ContractRequest> validator, CsvRows<ContractRequest> rows)
    : ImportResource<Contract, ContractRequest, ContractResponse>(ContractResource.Definition, db, validator, rows);
