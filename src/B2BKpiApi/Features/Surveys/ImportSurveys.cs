using B2BKpiApi.Data;
using B2BKpiApi.Features.Resources;

namespace B2BKpiApi.Features.Surveys;

/// <summary>POST /v1/surveys/import (text/csv); the behaviour is <see cref="ImportResource{TEntity, TRequest, TResponse}"/>'s.</summary>
public sealed class ImportSurveys(KpiDbContext db, CsvRows<SurveyRequest> rows)
    : ImportResource<Survey, SurveyRequest, SurveyResponse>(SurveyResource.Definition, db, rows);
