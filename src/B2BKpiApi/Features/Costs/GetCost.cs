using B2BKpiApi.Data;
using B2BKpiApi.Features.Resources;

namespace B2BKpiApi.Features.Costs;

/// <summary>GET /v1/costs/{id}; the behaviour is <see cref="GetResource{TEntity, TRequest, TResponse}"/>'s.</summary>
public sealed class GetCost(KpiDbContext db)
    : GetResource<Cost, CostRequest, CostResponse>(CostResource.Definition, db);
