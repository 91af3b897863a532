using B2BKpiApi.Data;
using B2BKpiApi.Features.Resources;
using FastEndpoints;
using FluentValidation;

namespace B2BKpiApi.Features.Surveys;

/// <summary>One survey answer: nps scores 0–10, csat 1–5, ces 1–7 (7 = easiest).</summary>
public sealed record SurveyRequest(
    string? ExternalId, SurveyKind? Kind, int? Score, DateOnly? RespondedOn, Guid? ClientId, RespondentRole? RespondentRole)
    : IResourceRequest<Survey>
{
    Guid? IResourceRequest<Survey>.ReferencedClientId => ClientId;

    public static SurveyRequest From(Survey s) => new(s.ExternalId, s.Kind, s.Score, s.RespondedOn, s.ClientId, s.RespondentRole);

    public void ApplyTo(Survey entity)
    {
        entity.ExternalId = ExternalId;
        entity.Kind = Kind!.Value;
        entity.Score = Score!.Value;
        entity.RespondedOn = RespondedOn!.Value;
        entity.ClientId = ClientId;
        entity.RespondentRole = RespondentRole;
    }

    public static (int Min, int Max) ScoreRange(SurveyKind kind) => kind switch
    {
        SurveyKind.Nps => (0, 10),
        SurveyKind.Csat => (1, 5),
        SurveyKind.Ces => (1, 7),
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    public sealed class Validator : Validator<SurveyRequest>
    {
        public Validator()
        {
            RuleFor(r => r.ExternalId).ExternalId();
            RuleFor(r => r.Kind).NotNull();
            RuleFor(r => r.Score).NotNull();
            RuleFor(r => r.Score)
                .Must((r, score) => score is null || r.Kind is null
                    || (score >= ScoreRange(r.Kind.Value).Min && score <= ScoreRange(r.Kind.Value).Max))
                .WithMessage(r => $"'score' must be between {ScoreRange(r.Kind!.Value).Min} and {ScoreRange(r.Kind!.Value).Max} for a {r.Kind.ToString()!.ToLowerInvariant()} answer.");
            RuleFor(r => r.RespondedOn).NotNull().InRange();
            RuleFor(r => r.ClientId).NotEqual(Guid.Empty);
        }
    }
}

public sealed record SurveyResponse(
    Guid Id, string? ExternalId, SurveyKind Kind, int Score, DateOnly RespondedOn, Guid? ClientId, RespondentRole? RespondentRole,
    DateTime CreatedAt, DateTime UpdatedAt)
{
    public static SurveyResponse From(Survey s) =>
        new(s.Id, s.ExternalId, s.Kind, s.Score, s.RespondedOn, s.ClientId, s.RespondentRole, s.CreatedAt, s.UpdatedAt);
}

/// <summary>What the survey operations need to know; each operation is a file of this folder.</summary>
public static class SurveyResource
{
    public static readonly ResourceDefinition<Survey, SurveyRequest, SurveyResponse> Definition = new(
        "Survey", "Surveys", db => db.Surveys, s => s.RespondedOn, SurveyResponse.From, SurveyRequest.From);
}
