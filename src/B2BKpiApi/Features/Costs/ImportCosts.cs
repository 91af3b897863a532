using B2BKpiApi.Data;
using B2BKpiApi.Features.Resources;

namespace B2BKpiApi.Features.Costs;

/// <summary>POST /v1/costs/import (text/csv); the behaviour is <see cref="ImportResource{TEntity, TRequest, TResponse}"/>'s.</summary>
public sealed class ImportCosts(KpiDbContext db, CsvRows<CostRequest> rows)
    : ImportResource<Cost, CostRequest, CostResponse>(CostResource.Definition, db, rows);
