using B2BKpiApi.Data;
using B2BKpiApi.Features.Resources;

namespace B2BKpiApi.Features.Surveys;

/// <summary>POST /v1/surveys; the behaviour is <see cref="CreateResource{TEntity, TRequest, TResponse}"/>'s.</summary>
public sealed class CreateSurvey(KpiDbContext db)
    : CreateResource<Survey, SurveyRequest, SurveyResponse>(SurveyResource.Definition, db);
