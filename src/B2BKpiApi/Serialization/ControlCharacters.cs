using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace B2BKpiApi.Serialization;

/// <summary>
/// C0 control characters (U+0000–U+001F) are refused in every string the API reads, whatever the
/// database: PostgreSQL cannot store NUL at all (22021), SQLite would store it and every consumer of
/// the data would then trip on it. Free-text fields (names and descriptions, see <see cref="IsFreeText"/>)
/// may hold tab, line feed and carriage return; identifiers, codes and labels (externalId, currency,
/// industry, segment, source…) may hold none. The rule is applied once, to every string property of
/// every request type, by a JSON contract modifier: CSV rows are read through the same JSON reader, so
/// they are covered too.
/// </summary>
public static class ControlCharacters
{
    /// <summary>Free text: a name or a description, where a line break or a tab can be meant.</summary>
    public static bool IsFreeText(string jsonName) =>
        jsonName is "name" or "description" || jsonName.EndsWith("Name", StringComparison.Ordinal)
                                            || jsonName.EndsWith("Description", StringComparison.Ordinal);

    /// <summary>The first control character the value may not hold, or null when it has none.</summary>
    public static char? FirstRefused(ReadOnlySpan<char> value, bool freeText)
    {
        foreach (var c in value)
            if (c < 0x20 && !(freeText && c is '\t' or '\n' or '\r'))
                return c;
        return null;
    }

    /// <summary>What the caller is told: the field, the character and what is allowed.</summary>
    public static string Describe(string field, char refused, bool freeText) =>
        $"'{field}' contains the control character U+{(int)refused:X4}; " +
        (freeText
            ? "control characters other than tab, line feed and carriage return are not allowed."
            : "control characters (U+0000–U+001F) are not allowed.");

    /// <summary>Puts the check on every string property of every type the options read.</summary>
    public static void Apply(JsonSerializerOptions options) =>
        options.TypeInfoResolver = (options.TypeInfoResolver ?? new DefaultJsonTypeInfoResolver()).WithAddedModifier(Modify);

    private static readonly StringConverter Strict = new(freeText: false);
    private static readonly StringConverter Lenient = new(freeText: true);

    private static void Modify(JsonTypeInfo type)
    {
        if (type.Kind != JsonTypeInfoKind.Object)
            return;
        foreach (var property in type.Properties)
            if (property.PropertyType == typeof(string) && property.CustomConverter is null)
                property.CustomConverter = IsFreeText(property.Name) ? Lenient : Strict;
    }

    private sealed class StringConverter(bool freeText) : JsonConverter<string>
    {
        public override bool HandleNull => false;

        public override string? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            if (reader.TokenType != JsonTokenType.String)
                throw new JsonException(); // the serializer's own "could not be converted" message, with the path
            var value = reader.GetString()!;
            if (FirstRefused(value, freeText) is { } refused)
                throw new ControlCharacterException(refused, freeText);
            return value;
        }

        public override void Write(Utf8JsonWriter writer, string value, JsonSerializerOptions options) => writer.WriteStringValue(value);
    }
}

/// <summary>A string held a control character it may not hold; the serializer adds the path of the field.</summary>
public sealed class ControlCharacterException : JsonException
{
    public ControlCharacterException(char refused, bool freeText)
        : base($"The value contains the control character U+{(int)refused:X4}.")
    {
        Refused = refused;
        FreeText = freeText;
    }

    public ControlCharacterException() { }

    public ControlCharacterException(string message) : base(message) { }

    public ControlCharacterException(string message, Exception inner) : base(message, inner) { }

    public char Refused { get; }

    public bool FreeText { get; }

    public string Describe(string field) => ControlCharacters.Describe(field, Refused, FreeText);
}
