using B2BKpiApi.Data;
using B2BKpiApi.Features.Resources;
using FluentValidation;

namespace B2BKpiApi.Features.Costs;

/// <summary>POST /v1/costs/import (text/csv); the behaviour is <see cref="ImportResource{TEntity, TRequest, TResponse}"/>'s.</summary>
public sealed class ImportCosts(KpiDbContext db, IValidator<CostRequest> validator, CsvRows<CostRequest> rows)
    : ImportResource<Cost, CostRequest, CostResponse>(CostResource.Definition, db, validator, rows);
