using B2BKpiApi.Data;
using B2BKpiApi.Features.Resources;

namespace B2BKpiApi.Features.Leads;

/// <summary>GET /v1/leads/{id}; the behaviour is <see cref="GetResource{TEntity, TRequest, TResponse}"/>'s.</summary>
public sealed class GetLead(KpiDbContext db)
    : GetResource<Lead, LeadRequest, LeadResponse>(LeadResource.Definition, db);
