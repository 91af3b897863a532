using B2BKpiApi.Data;
using B2BKpiApi.Features.Resources;
using FluentValidation;

namespace B2BKpiApi.Features.Clients;

/// <summary>POST /v1/clients/import (text/csv); the behaviour is <see cref="ImportResource{TEntity, TRequest, TResponse}"/>'s.</summary>
public sealed class ImportClients(KpiDbContext db, IValidator<ClientRequest> validator, CsvRows<ClientRequest> rows)
    : ImportResource<Client, ClientRequest, ClientResponse>(ClientResource.Definition, db, validator, rows);
