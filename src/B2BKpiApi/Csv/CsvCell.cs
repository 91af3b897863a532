using System.Buffers.Text;
using System.Collections.Frozen;
using System.Text;
using System.Text.Json;
using B2BKpiApi.Serialization;

namespace B2BKpiApi.Csv;

/// <summary>
/// Typed readers of one CSV cell (its UTF-8 bytes) into a request field, with the rules and words of the JSON
/// reader: an empty cell is null; text is UTF-8 without the control characters the field may not hold, one
/// leading single quote being the export's formula escape (<see cref="CsvInjection"/>); an enum value exactly
/// as written in JSON; a date YYYY-MM-DD that is a day; a UUID; a number with a dot for decimals.
/// </summary>
public static class CsvCell
{
    /// <summary>Reads a cell: answers what is wrong with it, or null with the value (null for an empty cell).</summary>
    public delegate string? Reader(ReadOnlySpan<byte> cell, out object? value);

    public static Reader For(Type type, string field)
    {
        var t = Nullable.GetUnderlyingType(type) ?? type;
        if (t == typeof(string))
            return Text(field, ControlCharacters.IsFreeText(field));
        if (t.IsEnum)
            return (Reader)typeof(CsvCell).GetMethod(nameof(EnumOf), System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static)!
                .MakeGenericMethod(t).Invoke(null, [field])!;
        if (t == typeof(DateOnly))
            return Date(field);
        if (t == typeof(Guid))
            return Uuid(field);
        if (t == typeof(decimal))
            return Number(field);
        if (t == typeof(int))
            return WholeNumber(field);
        if (t == typeof(bool))
            return Boolean(field);
        throw new NotSupportedException($"A CSV column of type {t.Name} ('{field}') has no cell reader.");
    }

    private static string? Utf8Error(ReadOnlySpan<byte> cell, string field) =>
        CsvStrictness.IsUtf8(cell) ? null : CsvStrictness.NotUtf8Detail(field);

    private static Reader Text(string field, bool freeText) => (ReadOnlySpan<byte> cell, out object? value) =>
    {
        value = null;
        if (cell.IsEmpty)
            return null;
        if (Utf8Error(cell, field) is { } notUtf8)
            return notUtf8;
        var text = CsvInjection.Restore(Encoding.UTF8.GetString(cell));
        if (ControlCharacters.FirstRefused(text, freeText) is { } refused)
            return ControlCharacters.Describe(field, refused, freeText);
        value = text;
        return null;
    };

    private static Reader EnumOf<T>(string field) where T : struct, Enum
    {
        var byName = Enum.GetValues<T>().ToFrozenDictionary(v => JsonNamingPolicy.KebabCaseLower.ConvertName(v.ToString()), v => (object)v, StringComparer.Ordinal);
        var lookup = byName.GetAlternateLookup<ReadOnlySpan<char>>();
        return (ReadOnlySpan<byte> cell, out object? value) =>
        {
            value = null;
            if (cell.IsEmpty)
                return null;
            Span<char> chars = stackalloc char[64];
            if (cell.Length > chars.Length || Utf8Error(cell, field) is not null)
                return FieldValues.NotOneOf(field, typeof(T));
            var n = Encoding.UTF8.GetChars(cell, chars);
            return lookup.TryGetValue(chars[..n], out value) ? null : FieldValues.NotOneOf(field, typeof(T));
        };
    }

    private static Reader Date(string field) => (ReadOnlySpan<byte> cell, out object? value) =>
    {
        value = null;
        if (cell.IsEmpty)
            return null;
        if (cell.Length == 10 && cell[4] == '-' && cell[7] == '-'
            && Utf8Parser.TryParse(cell[..4], out int year, out var a) && a == 4
            && Utf8Parser.TryParse(cell.Slice(5, 2), out int month, out var b) && b == 2
            && Utf8Parser.TryParse(cell.Slice(8, 2), out int day, out var c) && c == 2
            && IsDigits(cell[..4]) && IsDigits(cell.Slice(5, 2)) && IsDigits(cell.Slice(8, 2))
            && year >= 1 && month is >= 1 and <= 12 && day >= 1 && day <= DateTime.DaysInMonth(year, month))
        {
            value = new DateOnly(year, month, day);
            return null;
        }
        return FieldValues.NotADate(field, Utf8Error(cell, field) is null && cell.Length <= 64 ? Encoding.UTF8.GetString(cell) : null);
    };

    private static bool IsDigits(ReadOnlySpan<byte> span)
    {
        foreach (var b in span)
            if (b is < (byte)'0' or > (byte)'9')
                return false;
        return true;
    }

    private static Reader Uuid(string field) => (ReadOnlySpan<byte> cell, out object? value) =>
    {
        value = null;
        if (cell.IsEmpty)
            return null;
        // The one form JSON reads (Utf8JsonReader.GetGuid): 8-4-4-4-12 hex digits.
        if (Utf8Parser.TryParse(cell, out Guid guid, out var used, 'D') && used == cell.Length)
        {
            value = guid;
            return null;
        }
        return FieldValues.NotAUuid(field);
    };

    /// <summary>Digits with an optional sign and one decimal point: no exponent, no thousands separator.</summary>
    private static bool IsPlainNumber(ReadOnlySpan<byte> cell)
    {
        var start = cell[0] is (byte)'-' or (byte)'+' ? 1 : 0;
        if (start == cell.Length)
            return false;
        var point = false;
        var digits = 0;
        for (var i = start; i < cell.Length; i++)
        {
            if (cell[i] == '.' && !point)
                point = true;
            else if (cell[i] is >= (byte)'0' and <= (byte)'9')
                digits++;
            else
                return false;
        }
        return digits > 0;
    }

    private static Reader Number(string field) => (ReadOnlySpan<byte> cell, out object? value) =>
    {
        value = null;
        if (cell.IsEmpty)
            return null;
        if (IsPlainNumber(cell) && Utf8Parser.TryParse(cell, out decimal number, out var used) && used == cell.Length)
        {
            value = number;
            return null;
        }
        return FieldValues.NotANumber(field);
    };

    private static Reader WholeNumber(string field) => (ReadOnlySpan<byte> cell, out object? value) =>
    {
        value = null;
        if (cell.IsEmpty)
            return null;
        // 7 and 7.0 are the same whole number: CSV imports have always taken 7.0 for an int field.
        if (IsPlainNumber(cell) && Utf8Parser.TryParse(cell, out decimal number, out var used) && used == cell.Length
            && number == decimal.Truncate(number) && number is >= int.MinValue and <= int.MaxValue)
        {
            value = (int)number;
            return null;
        }
        return FieldValues.NotAWholeNumber(field);
    };

    private static Reader Boolean(string field) => (ReadOnlySpan<byte> cell, out object? value) =>
    {
        value = null;
        if (cell.IsEmpty)
            return null;
        if (cell.SequenceEqual("true"u8))
            value = true;
        else if (cell.SequenceEqual("false"u8))
            value = false;
        else
            return FieldValues.NotABoolean(field);
        return null;
    };
}
