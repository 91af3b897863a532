using B2BKpiApi.Data;
using B2BKpiApi.Features.Resources;

namespace B2BKpiApi.Features.Costs;

/// <summary>DELETE /v1/costs/{id}; the behaviour is <see cref="DeleteResource{TEntity, TRequest, TResponse}"/>'s.</summary>
public sealed class DeleteCost(KpiDbContext db)
    : DeleteResource<Cost, CostRequest, CostResponse>(CostResource.Definition, db);
