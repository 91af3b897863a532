using FastEndpoints;

namespace B2BKpiApi.Hosting;

/// <summary>FastEndpoints, set up so that partners see the same JSON and the same RFC 9457 errors as before it.</summary>
public static class KpiEndpoints
{
    public static IApplicationBuilder UseKpiEndpoints(this WebApplication app) =>
        app.UseFastEndpoints(c =>
        {
            JsonConventions.Configure(c.Serializer.Options);
            // Problems go out as plain application/problem+json, as TypedResults writes them.
            c.Serializer.CharacterEncoding = null;
            // Validators name fields in camelCase themselves (Validators.AddRequestValidators); keep FastEndpoints out of it.
            c.Validation.UsePropertyNamingPolicy = false;
            c.Errors.ResponseBuilder = ValidationProblems.Build;
            // Every response is declared explicitly (OperationDescription): no default 400 metadata.
            c.Errors.ProducesMetadataType = null;
            // A body that is not valid JSON reaches ProblemExceptionHandler, which names the JSON path as it always did.
            c.Binding.JsonExceptionTransformer = null;
            c.Binding.FailureMessage = (type, name, _) => ProblemExceptionHandler.UnreadableQueryValue(type, name);
            c.Binding.ValueParserFor<IsoDate>(value => IsoDate.TryParse(value.ToString(), null, out var date)
                ? new ParseResult(true, date)
                : new ParseResult(false, null));
        });
}
