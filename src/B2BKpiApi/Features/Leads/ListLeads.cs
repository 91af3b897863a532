using B2BKpiApi.Data;
using B2BKpiApi.Features.Resources;

namespace B2BKpiApi.Features.Leads;

/// <summary>GET /v1/leads (JSON pages, or CSV); the behaviour is <see cref="ListResource{TEntity, TRequest, TResponse}"/>'s.</summary>
public sealed class ListLeads(KpiDbContext db)
    : ListResource<Lead, LeadRequest, LeadResponse>(LeadResource.Definition, db);
