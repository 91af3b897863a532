using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;

namespace B2BKpiApi.Serialization;

/// <summary>
/// What a request field takes and, in one wording for JSON bodies, CSV cells and query strings, what is wrong
/// with a value it cannot take: the allowed values of an enum, a date that is not a day, a number that is
/// not whole. Each message names the field, so that a caller can fix every field from one answer.
/// </summary>
public static class FieldValues
{
    private static readonly ConcurrentDictionary<Type, string> EnumLists = new();

    /// <summary>The wire names of an enum's values, as they must be written: <c>won, lost</c>.</summary>
    public static string EnumNames(Type enumType) => EnumLists.GetOrAdd(enumType, static t =>
        string.Join(", ", Enum.GetNames(t).Select(JsonNamingPolicy.KebabCaseLower.ConvertName)));

    public static string NotOneOf(string field, Type enumType) =>
        $"'{field}' must be one of {EnumNames(Nullable.GetUnderlyingType(enumType) ?? enumType)}, written exactly so.";

    public const string DateExample = "2025-01-31";

    /// <summary>A value shaped YYYY-MM-DD that names no day says so; anything else is not a date written YYYY-MM-DD.</summary>
    public static string NotADate(string field, string? text)
    {
        if (text is { Length: 10 } && text[4] == '-' && text[7] == '-'
            && int.TryParse(text.AsSpan(0, 4), NumberStyles.None, CultureInfo.InvariantCulture, out var year)
            && int.TryParse(text.AsSpan(5, 2), NumberStyles.None, CultureInfo.InvariantCulture, out var month)
            && int.TryParse(text.AsSpan(8, 2), NumberStyles.None, CultureInfo.InvariantCulture, out var day))
        {
            var why = year < 1 ? "there is no year 0000"
                : month is < 1 or > 12 ? "months run from 01 to 12"
                : day < 1 ? "days start at 01"
                : string.Create(CultureInfo.InvariantCulture,
                    $"{CultureInfo.InvariantCulture.DateTimeFormat.GetMonthName(month)} {year:0000} has {DateTime.DaysInMonth(year, month)} days");
            return $"'{field}': {text} is not a day ({why}).";
        }
        return $"'{field}' has a value that cannot be read as a date written YYYY-MM-DD, such as {DateExample}.";
    }

    public static string NotAUuid(string field) => $"'{field}' has a value that cannot be read as a UUID.";

    public static string NotAWholeNumber(string field) => $"'{field}' must be a whole number, such as 7.";

    public static string NotANumber(string field) => $"'{field}' must be a number written with a dot for decimals, such as 1250.50.";

    public static string NotABoolean(string field) => $"'{field}' must be true or false.";

    public static string NotAString(string field) => $"'{field}' must be a string.";

    public static string NotAnObject(string field) => $"'{field}' must be a JSON object.";

    public static string NotAnArray(string field) => $"'{field}' must be a JSON array.";

    /// <summary>An optional field that has a default: leaving it out gives the default, null is not one of its values.</summary>
    public static string NullRefused(string field, Type type) =>
        (Nullable.GetUnderlyingType(type) ?? type) == typeof(bool)
            ? $"'{field}' must be true or false, or left out for its default; null is not allowed."
            : $"'{field}' may be left out for its default, but not null.";

    public static string Duplicate(string field) =>
        $"'{field}' appears more than once in the object (keys are matched without regard to case); send each field once.";

    public static string UnknownField(string field, IEnumerable<string> fields) =>
        $"'{field}' is not a field of this request (server-owned fields such as id, tenantId and timestamps cannot be sent). " +
        $"The fields are: {string.Join(", ", fields)}.";

    /// <summary>What is wrong with a value that could not be read as <paramref name="type"/>; <paramref name="text"/> is the value's text when it has one.</summary>
    public static string Describe(string field, Type type, string? text)
    {
        var t = Nullable.GetUnderlyingType(type) ?? type;
        if (t.IsEnum)
            return NotOneOf(field, t);
        if (t == typeof(DateOnly))
            return NotADate(field, text);
        if (t == typeof(Guid))
            return NotAUuid(field);
        if (t == typeof(int) || t == typeof(long))
            return NotAWholeNumber(field);
        if (t == typeof(decimal) || t == typeof(double))
            return NotANumber(field);
        if (t == typeof(bool))
            return NotABoolean(field);
        if (t == typeof(string))
            return NotAString(field);
        return $"'{field}' has the wrong type, or is not one of its allowed values.";
    }
}
