using System.Text.Json;

namespace B2BKpiApi.Serialization;

/// <summary>
/// The hardening of the JSON reader, on top of <c>Json.Configure</c>: a key given twice (also as
/// <c>name</c> and <c>Name</c>, which the case-insensitive reader would otherwise take as the same
/// field, last one winning), an enum value in another case, a control character in a string and null in a field
/// that may only be left out (<see cref="NotNullableAttribute"/>) are refused, as 400s naming the field.
/// </summary>
public static class StrictJson
{
    public static void Apply(JsonSerializerOptions options)
    {
        options.AllowDuplicateProperties = false;
        options.Converters.Insert(0, new StrictEnumConverter());
        ControlCharacters.Apply(options);
        NotNullableAttribute.Apply(options);
    }

    /// <summary>What to tell the caller when one of these rules refused <paramref name="field"/>; null for any other JSON error.</summary>
    public static string? Describe(JsonException exception, string field) => exception switch
    {
        ControlCharacterException control => control.Describe(field),
        NullRefusedException => FieldValues.NullRefused(field, typeof(bool)),
        _ when exception.Message.Contains("Duplicate", StringComparison.OrdinalIgnoreCase) => FieldValues.Duplicate(field),
        _ => null,
    };
}
