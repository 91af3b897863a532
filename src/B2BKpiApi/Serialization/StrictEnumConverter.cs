using System.Collections.Frozen;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace B2BKpiApi.Serialization;

/// <summary>
/// Enum values are read exactly as they are written (<c>direct-labor</c>, never <c>DIRECT-LABOR</c> or
/// <c>DirectLabor</c>): <see cref="JsonStringEnumConverter"/> matches case-insensitively and has no
/// switch for it. Registered before that converter, which stays in the options because Swashbuckle
/// looks for it to describe enums as strings; both write the same kebab-case names.
/// </summary>
public sealed class StrictEnumConverter : JsonConverterFactory
{
    public override bool CanConvert(Type typeToConvert) => typeToConvert.IsEnum;

    public override JsonConverter CreateConverter(Type typeToConvert, JsonSerializerOptions options) =>
        (JsonConverter)Activator.CreateInstance(typeof(Converter<>).MakeGenericType(typeToConvert))!;

    private sealed class Converter<T> : JsonConverter<T> where T : struct, Enum
    {
        private static readonly FrozenDictionary<string, T> ByName =
            Enum.GetValues<T>().ToFrozenDictionary(v => JsonNamingPolicy.KebabCaseLower.ConvertName(v.ToString()), StringComparer.Ordinal);

        private static readonly FrozenDictionary<T, string> Names = ByName.ToFrozenDictionary(p => p.Value, p => p.Key);

        public override T Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            reader.TokenType == JsonTokenType.String && ByName.TryGetValue(reader.GetString()!, out var value)
                ? value
                : throw new JsonException(); // the serializer's own "could not be converted" message, with the path

        public override void Write(Utf8JsonWriter writer, T value, JsonSerializerOptions options) =>
            writer.WriteStringValue(Names.TryGetValue(value, out var name) ? name : throw new JsonException($"{value} is not a named value of {typeof(T).Name}."));
    }
}
