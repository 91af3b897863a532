using System.Text.Json;
using System.Text.Json.Serialization;

namespace B2BKpiApi.Json;

public static class JsonConventions
{
    /// <summary>
    /// Strict reading: an unknown field (including server-owned ones such as id or tenantId), a number
    /// sent as a string, an enum sent as a number or an unknown enum value is refused, never ignored.
    /// </summary>
    public static void Configure(JsonSerializerOptions options)
    {
        options.PropertyNamingPolicy = JsonNamingPolicy.CamelCase;
        options.UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow;
        options.NumberHandling = JsonNumberHandling.Strict;
        options.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.KebabCaseLower, allowIntegerValues: false));
        options.Converters.Add(new UtcDateTimeConverter());
        Serialization.StrictJson.Apply(options);
    }

    /// <summary>Timestamps are written as RFC 3339 UTC with a trailing Z, whatever kind the DateTime carries.</summary>
    private sealed class UtcDateTimeConverter : JsonConverter<DateTime>
    {
        public override DateTime Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            reader.GetDateTime().ToUniversalTime();

        public override void Write(Utf8JsonWriter writer, DateTime value, JsonSerializerOptions options) =>
            writer.WriteStringValue(DateTime.SpecifyKind(value.Kind == DateTimeKind.Local ? value.ToUniversalTime() : value, DateTimeKind.Utc)
                .ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", System.Globalization.CultureInfo.InvariantCulture));
    }
}
