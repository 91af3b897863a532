using B2BKpiApi.Data;
using B2BKpiApi.Features.Resources;

namespace B2BKpiApi.Features.Surveys;

/// <summary>GET /v1/surveys/{id}; the behaviour is <see cref="GetResource{TEntity, TRequest, TResponse}"/>'s.</summary>
public sealed class GetSurvey(KpiDbContext db)
    : GetResource<Survey, SurveyRequest, SurveyResponse>(SurveyResource.Definition, db);
