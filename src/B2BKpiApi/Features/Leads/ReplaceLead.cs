using B2BKpiApi.Data;
using B2BKpiApi.Features.Resources;

namespace B2BKpiApi.Features.Leads;

/// <summary>PUT /v1/leads/{id}; the behaviour is <see cref="ReplaceResource{TEntity, TRequest, TResponse}"/>'s.</summary>
public sealed class ReplaceLead(KpiDbContext db)
    : ReplaceResource<Lead, LeadRequest, LeadResponse>(LeadResource.Definition, db);
