using B2BKpiApi.Data;
using B2BKpiApi.Features.Resources;

namespace B2BKpiApi.Features.Clients;

/// <summary>POST /v1/clients/import (text/csv); the behaviour is <see cref="ImportResource{TEntity, TRequest, TResponse}"/>'s.</summary>
public sealed class ImportClients(KpiDbContext db, CsvRows<ClientRequest> rows)
    : ImportResource<Client, ClientRequest, ClientResponse>(ClientResource.Definition, db, rows);
