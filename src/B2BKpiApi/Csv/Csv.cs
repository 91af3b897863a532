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
/// a dot). A row is read straight into the request record by typed cell readers (no JSON in between: that
/// detour cost most of an import's time), with the rules of the JSON reader (control characters, enum values
/// exactly as written, dates YYYY-MM-DD) and the same validator, so CSV accepts and refuses what JSON does,
/// in the same words, and names every failing field of a row at once.
/// </summary>
public sealed class CsvRows<TRequest>(IOptions<JsonOptions> json, FluentValidation.IValidator<TRequest> validator)
{
    private static readonly PropertyInfo[] Columns = typeof(TRequest).GetProperties(BindingFlags.Public | BindingFlags.Instance);

    /// <summary>The record's constructor, taking one argument per field (the requests are positional records).</summary>
    private static readonly ConstructorInfo Constructor = typeof(TRequest).GetConstructors()
        .Single(c => c.GetParameters().Length == Columns.Length
                     && c.GetParameters().All(p => Columns.Any(col => col.Name == p.Name && col.PropertyType == p.ParameterType)));

    private static readonly Func<object?[], TRequest> Create = Compile();

    /// <summary>Per column of <see cref="Columns"/>: its position among the constructor's arguments and its cell reader.</summary>
    private static readonly (int Argument, CsvCell.Reader Read)[] Cells = Columns
        .Select(c => (Array.FindIndex(Constructor.GetParameters(), p => p.Name == c.Name), CsvCell.For(c.PropertyType, JsonNaming.Camel(c.Name))))
        .ToArray();

    private readonly JsonSerializerOptions _json = json.Value.SerializerOptions;

    /// <summary>Set once the validator has refused to run synchronously (it has an asynchronous rule).</summary>
    private bool _asyncOnly;

    /// <summary>The columns, in the order of the request's fields.</summary>
    public IReadOnlyList<string> Header { get; } = Columns.Select(c => JsonNaming.Camel(c.Name)).ToArray();

    /// <summary>The header's columns that are not fields of the request (server-owned ones such as id included).</summary>
    public IEnumerable<string> UnknownColumns(IEnumerable<string> header) =>
        header.Where(h => !Header.Contains(h.Trim(), StringComparer.OrdinalIgnoreCase));

    /// <summary>The request field of each column of a header whose columns are all known (see <see cref="UnknownColumns"/>).</summary>
    public IReadOnlyList<int> Fields(IReadOnlyList<string> header) =>
        header.Select(h => Array.FindIndex(Columns, c => string.Equals(JsonNaming.Camel(c.Name), h.Trim(), StringComparison.OrdinalIgnoreCase))).ToArray();

    /// <summary>
    /// Reads one row as the request it stands for: a cell that cannot be read is left null in the request and
    /// reported in the errors (null when every cell reads). Validate the request with <see cref="ValidateAsync"/>.
    /// </summary>
    public (TRequest Request, Dictionary<string, string[]>? Errors) Read(CsvRow row, IReadOnlyList<int> fields)
    {
        var arguments = new object?[Columns.Length];
        Dictionary<string, string[]>? errors = null;
        for (var i = 0; i < fields.Count && i < row.FieldCount; i++)
        {
            var (argument, read) = Cells[fields[i]];
            if (read(row.GetSpan(i), out var value) is { } error)
            {
                errors ??= new Dictionary<string, string[]>(StringComparer.Ordinal);
                errors[Header[fields[i]]] = [error];
                continue;
            }
            arguments[argument] = value;
        }
        return (Create(arguments), errors);
    }

    /// <summary>
    /// Every failing field of a row: the cells that could not be read (<paramref name="errors"/>), then the
    /// validator's verdict on the fields that could. Null when the row is valid.
    /// </summary>
    public async ValueTask<Dictionary<string, string[]>?> ValidateAsync(TRequest request, Dictionary<string, string[]>? errors, CancellationToken ct)
    {
        // Synchronously while the validator allows it (no rule of ours is asynchronous): FluentValidation's async
        // pipeline costs a state machine per rule and row (the benchmark's 100k rows: 0.94 s of validation async,
        // 0.72 s sync). A validator with an asynchronous rule refuses to run synchronously; from then on it runs async.
        FluentValidation.Results.ValidationResult result;
        if (!_asyncOnly)
        {
            try
            {
                result = validator.Validate(request);
            }
            catch (FluentValidation.AsyncValidatorInvokedSynchronouslyException)
            {
                _asyncOnly = true;
                result = await validator.ValidateAsync(request, ct);
            }
        }
        else
            result = await validator.ValidateAsync(request, ct);
        if (result.IsValid)
            return errors;
        errors ??= new Dictionary<string, string[]>(StringComparer.Ordinal);
        foreach (var (name, messages) in result.ToDictionary())
            errors.TryAdd(name, messages); // a cell that could not be read is reported as such, not as missing
        return errors;
    }

    private static Func<object?[], TRequest> Compile()
    {
        var arguments = System.Linq.Expressions.Expression.Parameter(typeof(object?[]), "arguments");
        var create = System.Linq.Expressions.Expression.New(Constructor, Constructor.GetParameters().Select((p, i) =>
            System.Linq.Expressions.Expression.Convert(
                System.Linq.Expressions.Expression.ArrayIndex(arguments, System.Linq.Expressions.Expression.Constant(i)), p.ParameterType)));
        return System.Linq.Expressions.Expression.Lambda<Func<object?[], TRequest>>(create, arguments).Compile();
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
