using System.Reflection;
using Microsoft.OpenApi;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace B2BKpiApi.OpenApi;

/// <summary>
/// A request field marked <see cref="Serialization.NotNullableAttribute"/> is optional but never null on the wire
/// (null is refused): its schema loses <c>nullable</c>, though the C# property is nullable to tell "left out" apart.
/// </summary>
internal sealed class NotNullableSchemaFilter : ISchemaFilter
{
    public void Apply(IOpenApiSchema schema, SchemaFilterContext context)
    {
        if (schema is not OpenApiSchema { Properties.Count: > 0 } concrete || !context.Type.IsClass)
            return;
        foreach (var property in context.Type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (property.GetCustomAttribute<Serialization.NotNullableAttribute>() is null
                || !concrete.Properties!.TryGetValue(JsonNaming.Camel(property.Name), out var field)
                || field is not OpenApiSchema { Type: { } type } value)
                continue;
            value.Type = type & ~JsonSchemaType.Null;
        }
    }
}
