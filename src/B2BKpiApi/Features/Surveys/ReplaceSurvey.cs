using B2BKpiApi.Data;
using B2BKpiApi.Features.Resources;

namespace B2BKpiApi.Features.Surveys;

/// <summary>PUT /v1/surveys/{id}; the behaviour is <see cref="ReplaceResource{TEntity, TRequest, TResponse}"/>'s.</summary>
public sealed class ReplaceSurvey(KpiDbContext db)
    : ReplaceResource<Survey, SurveyRequest, SurveyResponse>(SurveyResource.Definition, db);
