using System.Buffers;

namespace B2BKpiApi.Csv;

/// <summary>
/// CSV injection (OWASP): a text cell starting with <c>= + - @</c>, tab or CR would run as a formula when
/// the export is opened in a spreadsheet. Such a cell is exported with a single quote in front (and
/// quoted), which spreadsheets show as text. To stay lossless, a text value that itself starts with a
/// single quote is escaped the same way (<c>'quoted</c> is exported as <c>''quoted</c>), and the import
/// removes exactly one leading single quote from every text cell: an export re-imports to the same
/// records. Only text fields (names, externalIds, labels) are touched; numbers, dates and enum values are
/// never escaped (a negative amount stays <c>-5</c>).
/// </summary>
public static class CsvInjection
{
    public const char Escape = '\'';

    private static readonly SearchValues<char> Dangerous = SearchValues.Create("=+-@\t\r'");

    /// <summary>The cell as exported.</summary>
    public static string Neutralise(string value) => value.Length > 0 && Dangerous.Contains(value[0]) ? Escape + value : value;

    /// <summary>The value of an imported text cell: one leading single quote is the escape, not data.</summary>
    public static string Restore(string cell) => cell.Length > 0 && cell[0] == Escape ? cell[1..] : cell;

    /// <summary>Quotes an escaped cell, as OWASP recommends, so that no reader takes the quote for anything else.</summary>
    public static bool IsEscaped(ReadOnlySpan<char> field) => field.Length > 0 && field[0] == Escape;
}
