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
            // A body that cannot be read is read again field by field, so that its problem names every failing field.
            c.Serializer.RequestDeserializer = (request, type, _, ct) => Serialization.RequestBody.ReadAsync(request, type, c.Serializer.Options, ct);
            // Enum query values are case-exact kebab-case, like enum body values (?state=FIRING is refused, listing the values).
            foreach (var type in typeof(KpiEndpoints).Assembly.GetTypes().Where(t => t.IsEnum && t.IsPublic))
            {
                c.Binding.ValueParserFor(type, value => EnumQuery.Parse(type, value));
                c.Binding.ValueParserFor(typeof(Nullable<>).MakeGenericType(type), value => EnumQuery.Parse(type, value));
            }
            c.Binding.ValueParserFor<IsoDate>(value => IsoDate.TryParse(value.ToString(), null, out var date)
                ? new ParseResult(true, date)
                : new ParseResult(false, null));
        });
}

/// <summary>An enum read from the query string exactly as it is written in JSON: <c>no-data</c>, never <c>NoData</c> or <c>FIRING</c>.</summary>
internal static class EnumQuery
{
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<Type, Dictionary<string, object>> Values = new();

    public static ParseResult Parse(Type enumType, Microsoft.Extensions.Primitives.StringValues value)
    {
        var names = Values.GetOrAdd(enumType, static t => Enum.GetValues(t).Cast<object>()
            .ToDictionary(v => System.Text.Json.JsonNamingPolicy.KebabCaseLower.ConvertName(v.ToString()!), v => v, StringComparer.Ordinal));
        return value.Count == 1 && value[0] is { } text && names.TryGetValue(text, out var parsed)
            ? new ParseResult(true, parsed)
            : new ParseResult(false, null);
    }
}
