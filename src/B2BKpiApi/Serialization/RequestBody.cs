using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;
using FluentValidation;

namespace B2BKpiApi.Serialization;

/// <summary>
/// Reads a JSON request body for FastEndpoints. A body that reads is deserialized once, as before. One that
/// does not (the serializer stops at the first field it cannot read) is read again field by field, so that
/// the answer names every field at once: each value that cannot be read (a date that is not a day, an enum
/// value that is not one, an unknown field…) and, for the fields that could be read, what the request's
/// validator says of them (<c>score</c> out of range). Malformed JSON keeps its single error at the place it
/// breaks: nothing after it can be read.
/// </summary>
public static class RequestBody
{
    public static async ValueTask<object?> ReadAsync(HttpRequest request, Type type, JsonSerializerOptions options, CancellationToken ct)
    {
        // A body in another charset is transcoded by ASP.NET's reader; it is rare enough to keep the single error there.
        if (request.GetTypedHeaders().ContentType?.Encoding is { } encoding && encoding.CodePage != Encoding.UTF8.CodePage)
            return await request.ReadFromJsonAsync(type, options, ct);

        using var buffer = new MemoryStream(request.ContentLength is > 0 and < 1 << 20 ? (int)request.ContentLength : 4096);
        await request.Body.CopyToAsync(buffer, ct);
        var json = new ReadOnlyMemory<byte>(buffer.GetBuffer(), 0, (int)buffer.Length);
        try
        {
            return JsonSerializer.Deserialize(json.Span, type, options);
        }
        catch (JsonException first) when (first.Path is { Length: > 1 })
        {
            var errors = await FieldErrorsAsync(json, type, options, request.HttpContext.RequestServices, ct);
            if (errors is null || errors.Count == 0)
                throw;
            throw new RequestBodyException(errors, first);
        }
    }

    /// <summary>Every field error of a body that is well-formed JSON; null when it is not (the first error then stands).</summary>
    public static async Task<Dictionary<string, string[]>?> FieldErrorsAsync(ReadOnlyMemory<byte> json, Type type, JsonSerializerOptions options,
        IServiceProvider services, CancellationToken ct)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = options.MaxDepth > 0 ? options.MaxDepth : 64 });
        }
        catch (JsonException)
        {
            return null;
        }
        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object || options.GetTypeInfo(type).Kind != JsonTypeInfoKind.Object)
                return null;
            var walk = new Walk(options, services, ct);
            await walk.ObjectAsync(document.RootElement, type, "");
            return walk.Errors.ToDictionary(e => e.Key, e => e.Value.ToArray(), StringComparer.Ordinal);
        }
    }

    private sealed class Walk(JsonSerializerOptions options, IServiceProvider services, CancellationToken ct)
    {
        public Dictionary<string, List<string>> Errors { get; } = new(StringComparer.Ordinal);

        private void Add(string path, string message)
        {
            if (!Errors.TryGetValue(path, out var list))
                Errors[path] = list = [];
            list.Add(message);
        }

        /// <summary>A value as a node (JsonValue takes no object or array).</summary>
        private static JsonNode? Node(JsonElement value) =>
            value.ValueKind is JsonValueKind.Object or JsonValueKind.Array ? JsonNode.Parse(value.GetRawText()) : JsonValue.Create(value);

        private static string Join(string prefix, string name) => prefix.Length == 0 ? name : $"{prefix}.{name}";

        /// <summary>The object with every field that reads (unknown and unreadable ones left out), after validating it.</summary>
        public async Task<JsonObject> ObjectAsync(JsonElement element, Type type, string prefix)
        {
            var info = options.GetTypeInfo(type);
            var comparison = options.PropertyNameCaseInsensitive ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;
            var kept = new JsonObject();
            var failed = new HashSet<string>(StringComparer.Ordinal);
            var seen = new HashSet<string>(options.PropertyNameCaseInsensitive ? StringComparer.OrdinalIgnoreCase : StringComparer.Ordinal);
            foreach (var field in element.EnumerateObject())
            {
                var property = info.Properties.FirstOrDefault(p => string.Equals(p.Name, field.Name, comparison));
                var name = property?.Name ?? field.Name;
                var path = Join(prefix, name);
                if (!seen.Add(field.Name))
                {
                    // Named as sent the second time (Name after name), as the serializer named it.
                    Add(Join(prefix, field.Name), FieldValues.Duplicate(field.Name));
                    failed.Add(name);
                    kept.Remove(name);
                    continue;
                }
                if (property is null)
                {
                    Add(path, FieldValues.UnknownField(field.Name, info.Properties.Select(p => p.Name)));
                    continue;
                }
                var value = await ValueAsync(field.Value, property, path);
                if (value.Read)
                    kept[name] = value.Node;
                else
                    failed.Add(name);
            }
            await ValidateAsync(kept, type, prefix, failed);
            return kept;
        }

        private async Task<(bool Read, JsonNode? Node)> ValueAsync(JsonElement value, JsonPropertyInfo property, string path)
        {
            var type = property.PropertyType;
            if (value.ValueKind == JsonValueKind.Null)
            {
                if (NotNullableAttribute.IsOn(property))
                {
                    Add(path, FieldValues.NullRefused(path, type));
                    return (false, null);
                }
                return (true, null);
            }
            var info = options.GetTypeInfo(type);
            if (info.Kind == JsonTypeInfoKind.Object)
            {
                if (value.ValueKind != JsonValueKind.Object)
                {
                    Add(path, FieldValues.NotAnObject(path));
                    return (false, null);
                }
                return (true, await ObjectAsync(value, type, path));
            }
            if (info.Kind == JsonTypeInfoKind.Enumerable && info.ElementType is { } itemType
                && options.GetTypeInfo(itemType).Kind == JsonTypeInfoKind.Object)
            {
                if (value.ValueKind != JsonValueKind.Array)
                {
                    Add(path, FieldValues.NotAnArray(path));
                    return (false, null);
                }
                var items = new JsonArray();
                var i = 0;
                foreach (var item in value.EnumerateArray())
                {
                    var itemPath = $"{path}[{i++}]";
                    if (item.ValueKind == JsonValueKind.Object)
                        items.Add(await ObjectAsync(item, itemType, itemPath));
                    else if (item.ValueKind == JsonValueKind.Null)
                        items.Add(null);
                    else
                    {
                        Add(itemPath, FieldValues.NotAnObject(itemPath));
                        items.Add(new JsonObject());
                    }
                }
                return (true, items);
            }
            if (type == typeof(string))
            {
                if (value.ValueKind != JsonValueKind.String)
                {
                    Add(path, FieldValues.NotAString(path));
                    return (false, null);
                }
                var freeText = ControlCharacters.IsFreeText(property.Name);
                if (ControlCharacters.FirstRefused(value.GetString(), freeText) is { } refused)
                {
                    Add(path, ControlCharacters.Describe(path, refused, freeText));
                    return (false, null);
                }
                return (true, Node(value));
            }
            try
            {
                _ = value.Deserialize(type, options);
                return (true, Node(value));
            }
            catch (JsonException e)
            {
                Add(path, StrictJson.Describe(e, path)
                          ?? FieldValues.Describe(path, type, value.ValueKind == JsonValueKind.String ? value.GetString() : null));
                return (false, null);
            }
        }

        /// <summary>What the type's validator says of the fields that were read; a field that could not be read is reported once, as such.</summary>
        private async Task ValidateAsync(JsonObject kept, Type type, string prefix, HashSet<string> failed)
        {
            if (services.GetService(typeof(IValidator<>).MakeGenericType(type)) is not IValidator validator)
                return;
            object? instance;
            try
            {
                instance = kept.Deserialize(type, options);
            }
            catch (JsonException)
            {
                return;
            }
            if (instance is null)
                return;
            var result = await validator.ValidateAsync(new ValidationContext<object>(instance), ct);
            foreach (var failure in result.Errors)
            {
                var name = failure.PropertyName ?? "";
                var root = name.Split('.', '[')[0];
                if (failed.Contains(root))
                    continue;
                Add(Join(prefix, name), failure.ErrorMessage);
            }
        }
    }
}

/// <summary>A JSON body whose fields fail: every one of them, by path, for a 400 problem.</summary>
public sealed class RequestBodyException : Exception
{
    public RequestBodyException(IReadOnlyDictionary<string, string[]> errors, Exception inner)
        : base("The request body has fields that cannot be read or are not valid.", inner) => Errors = errors;

    public RequestBodyException() : this(new Dictionary<string, string[]>(), new JsonException()) { }

    public RequestBodyException(string message) : base(message) => Errors = new Dictionary<string, string[]>();

    public RequestBodyException(string message, Exception inner) : base(message, inner) => Errors = new Dictionary<string, string[]>();

    public IReadOnlyDictionary<string, string[]> Errors { get; }
}
