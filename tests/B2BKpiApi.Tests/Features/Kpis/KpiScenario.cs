using System.Net;
using System.Text.Json.Nodes;
using B2BKpiApi.Tests.Infrastructure;

namespace B2BKpiApi.Tests.Features.Kpis;

/// <summary>
/// A small tenant whose every KPI for Q1 2026 (2026-01-01..2026-03-31, 90 days) is worked out by hand
/// in <see cref="KpiEndpointTests"/>. The previous period is 2025-10-03..2025-12-31 (also 90 days).
/// </summary>
public static class KpiScenario
{
    public const string From = "2026-01-01";
    public const string To = "2026-03-31";

    public static async Task PushAsync(TenantClient tenant)
    {
        var clients = await Batch(tenant, "/v1/clients",
            Client("A", "2025-01-01", null, "manufacturing"),
            Client("B", "2025-06-01", "2026-02-15", "manufacturing"),
            Client("C", "2025-03-01", "2025-12-31", "retail"),    // churned on the day before `from`: not in S
            Client("D", "2026-01-10", null, "retail"),
            Client("E", "2026-03-31", null, "retail"));           // acquired on the last day

        await Batch(tenant, "/v1/contracts",
            Contract("A1", clients["A"], "2024-12-15", "2025-01-01", "2025-12-31", 36500m, "new"),      // 100 a day
            Contract("A2", clients["A"], "2026-01-05", "2026-01-01", "2026-12-31", 73000m, "renewal"),  // 200 a day
            Contract("D1", clients["D"], "2026-01-20", "2026-02-01", "2026-04-30", 8900m, "new"));      // 89 days, 100 a day

        await Batch(tenant, "/v1/costs",
            Cost("c1", "cogs", 5000m, "2026-01-01"),
            Cost("c2", "direct-labor", 2000m, "2026-03-31"),
            Cost("c3", "sales", 3000m, "2026-02-10"),
            Cost("c4", "marketing", 1000m, "2026-02-11"),
            Cost("c5", "overhead", 900m, "2026-03-01"),
            Cost("c6", "marketing", 7777m, "2025-12-31"));   // previous period

        // Respondent roles (the relationship KPIs): A's committee is an economic buyer (n1), a user (n4, s1) and other (s2,
        // no committee role); D's a technical buyer (n2); B (churned in the period) an economic buyer (n5); n3 is an
        // economic buyer's answer without a client.
        await Batch(tenant, "/v1/surveys",
            Survey("n1", "nps", 10, "2026-01-02", clients["A"], "economic-buyer"), Survey("n2", "nps", 9, "2026-02-02", clients["D"], "technical-buyer"),
            Survey("n3", "nps", 9, "2026-03-31", null, "economic-buyer"), Survey("n4", "nps", 7, "2026-01-01", clients["A"], "user"),
            Survey("n5", "nps", 3, "2026-02-20", clients["B"], "economic-buyer"), Survey("n6", "nps", 0, "2025-12-31", null),
            Survey("s1", "csat", 5, "2026-01-15", clients["A"], "user"), Survey("s2", "csat", 4, "2026-01-16", clients["A"], "other"),
            Survey("s3", "csat", 2, "2026-01-17", null),
            Survey("e1", "ces", 7, "2026-03-01", null), Survey("e2", "ces", 5, "2026-03-02", null), Survey("e3", "ces", 6, "2026-03-03", null));

        await Batch(tenant, "/v1/leads",
            Lead("L1", "2026-01-05", "2026-01-10", "2026-01-20", "2026-02-20", "won", 10000m, "webinar"),
            Lead("L2", "2026-01-15", "2026-01-20", "2026-02-01", "2026-03-31", "lost", null, "webinar"),
            Lead("L3", "2026-02-01", "2026-02-05", null, null, null, null, "ads"),
            Lead("L4", "2025-12-01", "2025-12-10", "2026-01-05", "2026-01-25", "won", 20000m, "ads"),
            Lead("L5", "2026-03-01", null, null, null, null, null, "ads"),
            Lead("L6", "2025-11-01", "2025-11-15", null, null, null, null, "webinar"));
    }

    private static async Task<Dictionary<string, string>> Batch(TenantClient tenant, string route, params JsonObject[] items)
    {
        var result = await tenant.Http.PostJson($"{route}/batch", new JsonObject { ["items"] = new JsonArray(items) }).Expect(HttpStatusCode.OK);
        return result["items"]!.AsArray().ToDictionary(i => i!["externalId"]!.GetValue<string>(), i => i!["id"]!.GetValue<string>());
    }

    private static JsonObject Client(string id, string acquiredOn, string? churnedOn, string industry) => new()
    {
        ["externalId"] = id, ["name"] = $"Client {id}", ["acquiredOn"] = acquiredOn, ["churnedOn"] = churnedOn, ["industry"] = industry,
        ["segment"] = "smb",
    };

    private static JsonObject Contract(string id, string clientId, string signedOn, string startsOn, string endsOn, decimal value, string kind) => new()
    {
        ["externalId"] = id, ["clientId"] = clientId, ["signedOn"] = signedOn, ["startsOn"] = startsOn, ["endsOn"] = endsOn,
        ["value"] = value, ["currency"] = "USD", ["kind"] = kind,
    };

    private static JsonObject Cost(string id, string category, decimal amount, string incurredOn) => new()
    {
        ["externalId"] = id, ["category"] = category, ["amount"] = amount, ["currency"] = "USD", ["incurredOn"] = incurredOn,
    };

    private static JsonObject Survey(string id, string kind, int score, string respondedOn, string? clientId, string? role = null) => new()
    {
        ["externalId"] = id, ["kind"] = kind, ["score"] = score, ["respondedOn"] = respondedOn, ["clientId"] = clientId,
        ["respondentRole"] = role,
    };

    private static JsonObject Lead(string id, string createdOn, string? qualifiedOn, string? opportunityOn, string? closedOn, string? outcome,
        decimal? dealValue, string source) => new()
    {
        ["externalId"] = id, ["createdOn"] = createdOn, ["qualifiedOn"] = qualifiedOn, ["opportunityOn"] = opportunityOn,
        ["closedOn"] = closedOn, ["outcome"] = outcome, ["dealValue"] = dealValue, ["currency"] = dealValue is null ? null : "USD",
        ["source"] = source,
    };
}
