using B2BKpiApi.Data;
using B2BKpiApi.Features.Resources;

namespace B2BKpiApi.Features.Costs;

/// <summary>PUT /v1/costs/{id}; the behaviour is <see cref="ReplaceResource{TEntity, TRequest, TResponse}"/>'s.</summary>
public sealed class ReplaceCost(KpiDbContext db)
    : ReplaceResource<Cost, CostRequest, CostResponse>(CostResource.Definition, db);
