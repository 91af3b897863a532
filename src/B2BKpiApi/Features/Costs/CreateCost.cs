using B2BKpiApi.Data;
using B2BKpiApi.Features.Resources;

namespace B2BKpiApi.Features.Costs;

/// <summary>POST /v1/costs; the behaviour is <see cref="CreateResource{TEntity, TRequest, TResponse}"/>'s.</summary>
public sealed class CreateCost(KpiDbContext db)
    : CreateResource<Cost, CostRequest, CostResponse>(CostResource.Definition, db);
