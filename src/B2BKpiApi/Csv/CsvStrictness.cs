using CsvHelper;
using Microsoft.AspNetCore.Diagnostics;

namespace B2BKpiApi.Csv;

/// <summary>
/// A CSV file is read strictly: a column named twice, a row with more fields than the header, a stray
/// or unterminated quote and bytes that are not UTF-8 are refused as 400s naming the header or the
/// line, never read "as well as possible" (CsvHelper recovers from all of them by default).
/// </summary>
public static class CsvStrictness
{
    /// <summary>The first column named twice (names compare as the import maps them: trimmed, any case), or null.</summary>
    public static string? RepeatedColumn(IEnumerable<string> header)
    {
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        return header.Select(h => h.Trim()).FirstOrDefault(h => !seen.Add(h));
    }

    public static string RepeatedColumnDetail(string column) => $"The column '{column}' appears more than once in the header; name each column once.";

    /// <summary>Whether a cell's bytes are UTF-8: anything else would be read as U+FFFD and stored changed.</summary>
    public static bool IsUtf8(ReadOnlySpan<byte> cell) => System.Text.Unicode.Utf8.IsValid(cell);

    public static string NotUtf8Detail(string field) => $"'{field}' is not valid UTF-8; send the file encoded as UTF-8.";
}

/// <summary>
/// Turns malformed CSV, which the reader throws on in the middle of an import, into a 400 naming the line.
/// The import's transaction is disposed on the way out, so nothing of the file is stored.
/// </summary>
public sealed class CsvFormatProblems(IProblemDetailsService problems) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (exception is not CsvFormatException csv || csv.Member is not null)
            return false;
        var line = csv.LineNumber > 0 ? csv.LineNumber : csv.RecordNumber;
        var field = line == 1 ? "header" : $"rows[{line}]";
        var detail = csv.Message.Contains("field", StringComparison.OrdinalIgnoreCase) && csv.Message.Contains("count", StringComparison.OrdinalIgnoreCase)
            ? $"Line {line} does not have as many fields as the header; quote a value that holds a comma. Nothing was stored."
            : $"Line {line} is not well-formed CSV (a stray or unterminated quote: a quote inside a value must be doubled and the value quoted). Nothing was stored.";
        httpContext.Response.StatusCode = StatusCodes.Status400BadRequest;
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            Exception = exception,
            ProblemDetails = new Microsoft.AspNetCore.Mvc.ProblemDetails
            {
                Status = StatusCodes.Status400BadRequest,
                Title = "One or more validation errors occurred.",
                Detail = detail,
                Extensions = { ["errors"] = new Dictionary<string, string[]> { [field] = [detail] } },
            },
        });
    }
}
