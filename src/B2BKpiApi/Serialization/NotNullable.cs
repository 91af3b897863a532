using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace B2BKpiApi.Serialization;

/// <summary>
/// An optional request field whose contract type has no null (<c>enabled</c>: true or false): left out, it takes
/// its default; sent as <c>null</c>, it is refused as a 400 naming the field rather than read as the default.
/// The C# property stays nullable only so that "left out" can be told apart. The OpenAPI document shows such a
/// field without <c>nullable</c> (<see cref="OpenApi.NotNullableSchemaFilter"/>).
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Parameter)]
public sealed class NotNullableAttribute : Attribute
{
    public static bool IsOn(JsonPropertyInfo property) =>
        property.AttributeProvider?.IsDefined(typeof(NotNullableAttribute), inherit: true) == true;

    /// <summary>Gives every such property a converter that refuses null; the serializer adds the path of the field.</summary>
    public static void Apply(JsonSerializerOptions options) =>
        options.TypeInfoResolver = (options.TypeInfoResolver ?? new DefaultJsonTypeInfoResolver()).WithAddedModifier(Modify);

    private static void Modify(JsonTypeInfo type)
    {
        if (type.Kind != JsonTypeInfoKind.Object)
            return;
        foreach (var property in type.Properties)
            if (IsOn(property) && Nullable.GetUnderlyingType(property.PropertyType) is { } value && property.CustomConverter is null)
                property.CustomConverter = (JsonConverter)Activator.CreateInstance(typeof(RefuseNull<>).MakeGenericType(value))!;
    }

    private sealed class RefuseNull<T> : JsonConverter<T?> where T : struct
    {
        public override bool HandleNull => true;

        public override T? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            reader.TokenType == JsonTokenType.Null
                ? throw new NullRefusedException()
                : ((JsonConverter<T>)options.GetConverter(typeof(T))).Read(ref reader, typeof(T), options);

        public override void Write(Utf8JsonWriter writer, T? value, JsonSerializerOptions options)
        {
            if (value is { } v)
                ((JsonConverter<T>)options.GetConverter(typeof(T))).Write(writer, v, options);
            else
                writer.WriteNullValue();
        }
    }
}

/// <summary>A field that may be left out but not null was null.</summary>
public sealed class NullRefusedException : JsonException
{
    public NullRefusedException() : base("The value may be left out but not null.") { }

    public NullRefusedException(string message) : base(message) { }

    public NullRefusedException(string message, Exception inner) : base(message, inner) { }
}
