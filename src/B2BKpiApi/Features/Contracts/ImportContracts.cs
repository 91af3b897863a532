using B2BKpiApi.Data;
using B2BKpiApi.Features.Resources;

namespace B2BKpiApi.Features.Contracts;

/// <summary>POST /v1/contracts/import (text/csv); the behaviour is <see cref="ImportResource{TEntity, TRequest, TResponse}"/>'s.</summary>
public sealed class ImportContracts(KpiDbContext db, CsvRows<ContractRequest> rows)
    : ImportResource<Contract, ContractRequest, ContractResponse>(ContractResource.Definition, db, rows);
