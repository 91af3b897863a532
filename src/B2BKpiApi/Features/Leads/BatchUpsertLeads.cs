using B2BKpiApi.Data;
using B2BKpiApi.Features.Resources;
using FluentValidation;

namespace B2BKpiApi.Features.Leads;

/// <summary>POST /v1/leads/batch; the behaviour is <see cref="BatchUpsertResource{TEntity, TRequest, TResponse}"/>'s.</summary>
public sealed class BatchUpsertLeads(KpiDbContext db, IValidator<LeadRequest> validator)
    : BatchUpsertResource<Lead, LeadRequest, LeadResponse>(LeadResource.Definition, db, validator);
