using B2BKpiApi.Data;
using B2BKpiApi.Features.Resources;

namespace B2BKpiApi.Features.Surveys;

/// <summary>DELETE /v1/surveys/{id}; the behaviour is <see cref="DeleteResource{TEntity, TRequest, TResponse}"/>'s.</summary>
public sealed class DeleteSurvey(KpiDbContext db)
    : DeleteResource<Survey, SurveyRequest, SurveyResponse>(SurveyResource.Definition, db);
