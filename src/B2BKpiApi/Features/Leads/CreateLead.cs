using B2BKpiApi.Data;
using B2BKpiApi.Features.Resources;

namespace B2BKpiApi.Features.Leads;

/// <summary>POST /v1/leads; the behaviour is <see cref="CreateResource{TEntity, TRequest, TResponse}"/>'s.</summary>
public sealed class CreateLead(KpiDbContext db)
    : CreateResource<Lead, LeadRequest, LeadResponse>(LeadResource.Definition, db);
