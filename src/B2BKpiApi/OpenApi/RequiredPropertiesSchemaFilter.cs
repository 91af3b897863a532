using System.Reflection;
using FluentValidation;
using FluentValidation.Validators;
using Microsoft.OpenApi;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace B2BKpiApi.OpenApi;

/// <summary>
/// Marks the properties a generated client must treat as present. A request's required fields come
/// from its validator (an unconditional NotNull or NotEmpty rule), so the contract cannot drift from
/// what the API enforces; a response's are its non-nullable properties.
/// </summary>
internal sealed class RequiredPropertiesSchemaFilter(IServiceScopeFactory scopes) : ISchemaFilter
{
    private static readonly NullabilityInfoContext Nullability = new();

    public void Apply(IOpenApiSchema schema, SchemaFilterContext context)
    {
        if (schema is not OpenApiSchema { Properties.Count: > 0 } concrete || !context.Type.IsClass || context.Type == typeof(string))
            return;

        var required = RequiredByValidator(context.Type) ?? NonNullableProperties(context.Type);
        foreach (var name in required.Where(concrete.Properties!.ContainsKey))
        {
            concrete.Required ??= new SortedSet<string>(StringComparer.Ordinal);
            concrete.Required.Add(name);
            if (concrete.Properties![name] is OpenApiSchema property && property.Type is { } type)
                property.Type = type & ~JsonSchemaType.Null;
        }
    }

    private HashSet<string>? RequiredByValidator(Type type)
    {
        using var scope = scopes.CreateScope();
        if (scope.ServiceProvider.GetService(typeof(IValidator<>).MakeGenericType(type)) is not IValidator validator)
            return null;
        return validator.CreateDescriptor().Rules
            .Where(rule => rule.PropertyName is not null && !rule.HasCondition && !rule.HasAsyncCondition)
            .Where(rule => rule.Components.Any(c => !c.HasCondition && !c.HasAsyncCondition
                                                    && c.Validator is INotNullValidator or INotEmptyValidator))
            .Select(rule => JsonNaming.Camel(rule.PropertyName!))
            .ToHashSet();
    }

    private static HashSet<string> NonNullableProperties(Type type) =>
        type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => Nullability.Create(p).ReadState == NullabilityState.NotNull)
            .Select(p => JsonNaming.Camel(p.Name))
            .ToHashSet();
}
