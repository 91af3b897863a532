using B2BKpiApi.Data;
using B2BKpiApi.Features.Resources;

namespace B2BKpiApi.Features.Leads;

/// <summary>POST /v1/leads/import (text/csv); the behaviour is <see cref="ImportResource{TEntity, TRequest, TResponse}"/>'s.</summary>
public sealed class ImportLeads(KpiDbContext db, CsvRows<LeadRequest> rows)
    : ImportResource<Lead, LeadRequest, LeadResponse>(LeadResource.Definition, db, rows);
