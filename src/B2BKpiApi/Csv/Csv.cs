using System.Globalization;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using CsvHelper;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;

namespace B2BKpiApi.Csv;

public static class CsvFormat
{
    public const string MediaType = "text/csv";

    public static CsvReaderOptions Reader { get; } = new()
    {
        Separator = ',',
        HasHeader = true,
        TrimWhitespace = true,
        FormatProvider = CultureInfo.InvariantCulture,
        TrackLineNumbers = true,
        IncludeValuesInExceptions = false,
        // Strict: a stray quote or a row longer than the header is a 400 (B2BKpiApi.Csv.CsvFormatProblems), not "recovered".
        MalformedData = CsvMalformedDataHandling.Throw,
        FieldCountMismatch = CsvFieldCountHandling.Throw,
    };

    public static CsvWriterOptions Writer { get; } = new()
    {
        Separator = ',', HasHeader = true, FormatProvider = CultureInfo.InvariantCulture,
        ShouldQuote = (field, _, _, _) => B2BKpiApi.Csv.CsvInjection.IsEscaped(field),
    };

    /// <summary>Whether the caller asked for CSV in its Accept header.</summary>
    public static bool IsAccepted(HttpRequest request) =>
        request.Headers.Accept.Any(a => a is not null && a.Split(',').Any(IsCsv));

    public static bool IsCsv(string? contentType) =>
        contentType is not null && contentType.Split(';')[0].Trim().Equals(MediaType, StringComparison.OrdinalIgnoreCase);
}

/// <summary>
/// CSV rows are the JSON bodies of a resource, flattened: one column per field of its request, named
/// as in JSON (camelCase), with the same values (ISO dates, kebab-case enum values, decimal money with
/// a dot). A row goes through the very JSON reader and validator that a JSON request does, so CSV
/// accepts and refuses exactly what JSON does.
/// </summary>
public sealed class CsvRows<TRequest>(IOptions<JsonOptions> json)
{
    private static readonly PropertyInfo[] Columns = typeof(TRequest).GetProperties(BindingFlags.Public | BindingFlags.Instance);

    private readonly JsonSerializerOptions _json = json.Value.SerializerOptions;

    /// <summary>The columns, in the order of the request's fields.</summary>
    public IReadOnlyList<string> Header { get; } = Columns.Select(c => JsonNaming.Camel(c.Name)).ToArray();

    /// <summary>The header's columns that are not fields of the request (server-owned ones such as id included).</summary>
    public IEnumerable<string> UnknownColumns(IEnumerable<string> header) =>
        header.Where(h => !Header.Contains(h.Trim(), StringComparer.OrdinalIgnoreCase));

    /// <summary>The request field of each column of a header whose columns are all known (see <see cref="UnknownColumns"/>).</summary>
    public IReadOnlyList<PropertyInfo> Fields(IReadOnlyList<string> header) =>
        header.Select(h => Columns.First(c => string.Equals(JsonNaming.Camel(c.Name), h.Trim(), StringComparison.OrdinalIgnoreCase))).ToArray();

    /// <summary>Reads one row as the request it stands for, or says which field cannot be read.</summary>
    public (TRequest? Request, string? Field, string? Error) Read(CsvRow row, IReadOnlyList<PropertyInfo> fields)
    {
        var body = new JsonObject();
        for (var i = 0; i < fields.Count && i < row.FieldCount; i++)
        {
            var column = fields[i];
            var name = JsonNaming.Camel(column.Name);
            if (!B2BKpiApi.Csv.CsvStrictness.IsUtf8(row.GetSpan(i)))
                return (default, name, B2BKpiApi.Csv.CsvStrictness.NotUtf8Detail(name));
            var text = row.GetString(i);
            if (string.IsNullOrEmpty(text))
            {
                body[name] = null;
                continue;
            }
            var type = Nullable.GetUnderlyingType(column.PropertyType) ?? column.PropertyType;
            if (type == typeof(decimal) || type == typeof(int))
            {
                if (!decimal.TryParse(text, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number))
                    return (default, name, $"'{name}' must be a number written with a dot for decimals.");
                body[name] = type == typeof(int) && number == decimal.Truncate(number) && number is >= int.MinValue and <= int.MaxValue
                    ? JsonValue.Create((int)number)
                    : JsonValue.Create(number);
            }
            else
            {
                body[name] = type == typeof(string) ? B2BKpiApi.Csv.CsvInjection.Restore(text) : text;
            }
        }
        try
        {
            return (body.Deserialize<TRequest>(_json), null, null);
        }
        catch (JsonException e)
        {
            var field = e.Path is { Length: > 2 } path ? path.TrimStart('$', '.') : "row";
            return (default, field, Serialization.StrictJson.Describe(e, field) ?? $"'{field}' has the wrong type, or is not one of its allowed values.");
        }
    }

    /// <summary>The row of a record: the request that would write it, as text.</summary>
    public string?[] Write(TRequest request)
    {
        var body = JsonSerializer.SerializeToNode(request, _json)!.AsObject();
        return Header.Select((name, i) => body[name] switch
        {
            null => null,
            JsonValue value when value.TryGetValue<string>(out var text) =>
                Columns[i].PropertyType == typeof(string) ? B2BKpiApi.Csv.CsvInjection.Neutralise(text) : text,
            JsonValue value => value.ToJsonString(),
            var other => other.ToJsonString(),
        }).ToArray();
    }
}
