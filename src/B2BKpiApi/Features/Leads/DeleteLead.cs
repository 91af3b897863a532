using B2BKpiApi.Data;
using B2BKpiApi.Features.Resources;

namespace B2BKpiApi.Features.Leads;

/// <summary>DELETE /v1/leads/{id}; the behaviour is <see cref="DeleteResource{TEntity, TRequest, TResponse}"/>'s.</summary>
public sealed class DeleteLead(KpiDbContext db)
    : DeleteResource<Lead, LeadRequest, LeadResponse>(LeadResource.Definition, db);
