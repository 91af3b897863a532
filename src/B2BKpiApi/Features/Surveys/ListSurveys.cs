using B2BKpiApi.Data;
using B2BKpiApi.Features.Resources;

namespace B2BKpiApi.Features.Surveys;

/// <summary>GET /v1/surveys (JSON pages, or CSV); the behaviour is <see cref="ListResource{TEntity, TRequest, TResponse}"/>'s.</summary>
public sealed class ListSurveys(KpiDbContext db)
    : ListResource<Survey, SurveyRequest, SurveyResponse>(SurveyResource.Definition, db);
