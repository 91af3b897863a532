using B2BKpiApi.Data;
using B2BKpiApi.Features.Resources;

namespace B2BKpiApi.Features.Costs;

/// <summary>GET /v1/costs (JSON pages, or CSV); the behaviour is <see cref="ListResource{TEntity, TRequest, TResponse}"/>'s.</summary>
public sealed class ListCosts(KpiDbContext db)
    : ListResource<Cost, CostRequest, CostResponse>(CostResource.Definition, db);
