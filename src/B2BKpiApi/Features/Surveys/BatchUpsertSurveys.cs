using B2BKpiApi.Data;
using B2BKpiApi.Features.Resources;
using FluentValidation;

namespace B2BKpiApi.Features.Surveys;

/// <summary>POST /v1/surveys/batch; the behaviour is <see cref="BatchUpsertResource{TEntity, TRequest, TResponse}"/>'s.</summary>
public sealed class BatchUpsertSurveys(KpiDbContext db, IValidator<SurveyRequest> validator)
    : BatchUpsertResource<Survey, SurveyRequest, SurveyResponse>(SurveyResource.Definition, db, validator);
