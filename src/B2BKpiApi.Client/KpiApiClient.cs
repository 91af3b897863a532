namespace B2BKpiApi.Client;

// Hand-written half of the generated partial class (KpiApiClient.g.cs is rewritten by
// scripts/generate-csharp-client.sh; this file is not).
public partial class KpiApiClient
{
    // Read bodies as text before parsing them, so that an ApiException carries the raw problem
    // details in Response (for logs) beside the parsed ProblemDetails in Result. Responses are small
    // (a list page holds at most 200 records), so streaming would save little.
    partial void Initialize() => ReadResponseAsString = true;

    // A property left unset is left out of the request body, not sent as null: some optional fields
    // (an alert rule's enabled and toDate) take their default when left out and refuse null. For every
    // other field the API reads a missing field and null alike.
    static partial void UpdateJsonSerializerSettings(System.Text.Json.JsonSerializerOptions settings) =>
        settings.DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull;
}
