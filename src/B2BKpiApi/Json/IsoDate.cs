using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace B2BKpiApi.Json;

/// <summary>
/// A query-string date that must be written <c>YYYY-MM-DD</c>. DateOnly's own parsing would accept
/// <c>01/05/2026</c> and read it month-first, silently giving a European partner the wrong period.
/// </summary>
public readonly record struct IsoDate(DateOnly Value) : IParsable<IsoDate>
{
    public static IsoDate Parse(string s, IFormatProvider? provider) =>
        TryParse(s, provider, out var date) ? date : throw new FormatException($"'{s}' is not a date written YYYY-MM-DD.");

    public static bool TryParse([NotNullWhen(true)] string? s, IFormatProvider? provider, out IsoDate result)
    {
        result = default;
        if (!DateOnly.TryParseExact(s, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
            return false;
        result = new IsoDate(date);
        return true;
    }

    public override string ToString() => Value.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}
