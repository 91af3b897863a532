using B2BKpiApi.Data;
using B2BKpiApi.Features.Resources;
using FluentValidation;

namespace B2BKpiApi.Features.Costs;

/// <summary>POST /v1/costs/batch; the behaviour is <see cref="BatchUpsertResource{TEntity, TRequest, TResponse}"/>'s.</summary>
public sealed class BatchUpsertCosts(KpiDbContext db, IValidator<CostRequest> validator)
    : BatchUpsertResource<Cost, CostRequest, CostResponse>(CostResource.Definition, db, validator);
