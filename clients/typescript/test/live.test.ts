// End-to-end test of the generated client against a LIVE API.
//
//   KPI_BASE_URL=http://127.0.0.1:5080 KPI_ADMIN_KEY=dev-admin-key-change-me npm test
//
// KPI_BASE_URL is the server root (the paths start with /v1); KPI_ADMIN_KEY is the operator key
// (Auth:AdminApiKey). Without them the suite is skipped on a developer machine, and FAILS under
// CI=true, so CI can never go green without having run it. scripts/ts-client-check.sh starts a
// server and sets both. Every run creates its own tenant, so it can run again on the same database.
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { before, describe, test } from "node:test";
import {
  createKpiClient,
  isValidationProblem,
  type ClientResponse,
  type ContractRequest,
  type KpiClient,
} from "../src/index.js";

const baseUrl = process.env.KPI_BASE_URL ?? "";
const adminKey = process.env.KPI_ADMIN_KEY ?? "";
const inCi = /^(true|1)$/i.test(process.env.CI ?? "");
const missing = [
  ["KPI_BASE_URL", baseUrl],
  ["KPI_ADMIN_KEY", adminKey],
].filter(([, value]) => !value).map(([name]) => name);

if (missing.length > 0) {
  const why = `${missing.join(" and ")} not set: the live client tests need a running API (see scripts/ts-client-check.sh)`;
  if (inCi) {
    test("live API settings are present under CI", () => assert.fail(why));
  } else {
    test("live API client tests", { skip: why }, () => {});
  }
} else {
  liveSuite();
}

function contentType(response: Response): string {
  return (response.headers.get("content-type") ?? "").split(";")[0]!.trim();
}

function liveSuite(): void {
  describe(`KPI API client against ${baseUrl}`, () => {
    const run = randomUUID().slice(0, 8);
    let operator: KpiClient;
    let tenant: KpiClient;
    let tenantId = "";
    let client: ClientResponse;

    before(() => {
      operator = createKpiClient(baseUrl, adminKey);
    });

    test("the operator creates a tenant and receives its key once", async () => {
      const { data, error, response } = await operator.POST("/v1/tenants", {
        body: { name: `TS client ${run}`, industry: "manufacturing", currency: "USD" },
      });
      assert.equal(response.status, 201, JSON.stringify(error));
      assert.ok(data);
      assert.equal(data.currency, "USD");
      assert.match(data.apiKey, /^kpi_/);
      tenantId = data.id;
      tenant = createKpiClient(baseUrl, data.apiKey);

      const read = await operator.GET("/v1/tenants/{id}", { params: { path: { id: tenantId } } });
      assert.equal(read.response.status, 200);
      assert.equal(read.data?.name, `TS client ${run}`);
      assert.equal((read.data as Record<string, unknown> | undefined)?.["apiKey"], undefined, "the key is shown only once");
    });

    test("a tenant pushes a client and a contract", async () => {
      const created = await tenant.POST("/v1/clients", {
        body: { externalId: `crm-${run}`, name: "Globex", acquiredOn: "2024-12-01", industry: "manufacturing" },
      });
      assert.equal(created.response.status, 201, JSON.stringify(created.error));
      assert.ok(created.data);
      client = created.data;
      assert.equal(client.name, "Globex");
      assert.equal(client.acquiredOn, "2024-12-01");
      assert.equal(created.response.headers.get("location"), `/v1/clients/${client.id}`);

      // One year (2025-01-01..2025-12-31 = 365 days) worth 36,500: 100.00 recognized per day.
      const contract: ContractRequest = {
        externalId: `inv-${run}`,
        clientId: client.id,
        signedOn: "2024-12-15",
        startsOn: "2025-01-01",
        endsOn: "2025-12-31",
        value: 36500,
        currency: "USD",
        kind: "new",
      };
      const pushed = await tenant.POST("/v1/contracts", { body: contract });
      assert.equal(pushed.response.status, 201, JSON.stringify(pushed.error));
      assert.equal(pushed.data?.value, 36500);
      assert.equal(pushed.data?.kind, "new");
      assert.equal(pushed.data?.clientId, client.id);
    });

    test("lists the tenant's clients (and only them)", async () => {
      const { data, response } = await tenant.GET("/v1/clients", { params: { query: { limit: 50 } } });
      assert.equal(response.status, 200);
      // The list also answers text/csv (Accept: text/csv), so the body's type is the page or a string.
      assert.ok(data && typeof data !== "string");
      assert.deepEqual(data.items.map((c) => c.id), [client.id]);
      assert.equal(data.nextCursor, null);
    });

    test("reads revenue: 36,500 over 365 days, 90 days of it in 2025-01-01..2025-03-31 = 9,000", async () => {
      const { data, error, response } = await tenant.GET("/v1/kpis/{id}", {
        params: { path: { id: "revenue" }, query: { from: "2025-01-01", to: "2025-03-31" } },
      });
      assert.equal(response.status, 200, JSON.stringify(error));
      assert.ok(data);
      assert.equal(data.kpi, "revenue");
      assert.deepEqual(data.period, { from: "2025-01-01", to: "2025-03-31" });
      assert.equal(data.value, 9000);
      assert.equal(data.reason, null);
      assert.equal(data.unit, "money");
      assert.equal(data.currency, "USD");
      assert.equal(data.inputs["revenue"], 9000);
    });

    test("a quarterly revenue series splits the contract by days: 9,000 + 9,100 + 9,200 + 9,200", async () => {
      const { data, response } = await tenant.GET("/v1/kpis/{id}/series", {
        params: { path: { id: "revenue" }, query: { from: "2025-01-01", to: "2025-12-31", interval: "quarter" } },
      });
      assert.equal(response.status, 200);
      assert.deepEqual(data?.points.map((p) => [p.period.from, p.value]), [
        ["2025-01-01", 9000],
        ["2025-04-01", 9100],
        ["2025-07-01", 9200],
        ["2025-10-01", 9200],
      ]);
    });

    test("a 400 problem names the failing field", async () => {
      const { data, error, response } = await tenant.POST("/v1/clients", {
        body: { name: "", acquiredOn: "2025-01-15" },
      });
      assert.equal(response.status, 400);
      assert.equal(data, undefined);
      assert.equal(contentType(response), "application/problem+json");
      assert.ok(isValidationProblem(error), JSON.stringify(error));
      assert.equal(error.status, 400);
      assert.deepEqual(Object.keys(error.errors), ["name"]);
      assert.ok(error.traceId, "every problem carries a traceId");

      const wrongCurrency = await tenant.POST("/v1/contracts", {
        body: {
          clientId: client.id, signedOn: "2025-01-01", startsOn: "2025-01-01", endsOn: "2025-12-31",
          value: 100, currency: "EUR", kind: "renewal",
        },
      });
      assert.equal(wrongCurrency.response.status, 400);
      assert.ok(isValidationProblem(wrongCurrency.error));
      assert.deepEqual(Object.keys(wrongCurrency.error.errors), ["currency"]);

      const reversed = await tenant.GET("/v1/kpis/{id}", {
        params: { path: { id: "revenue" }, query: { from: "2025-03-31", to: "2025-01-01" } },
      });
      assert.equal(reversed.response.status, 400);
      assert.ok(isValidationProblem(reversed.error));
      assert.ok("to" in reversed.error.errors, JSON.stringify(reversed.error));
    });

    test("a wrong key is a 401 problem with WWW-Authenticate", async () => {
      const stranger = createKpiClient(baseUrl, "kpi_not-a-real-key");
      const { error, response } = await stranger.GET("/v1/clients");
      assert.equal(response.status, 401);
      assert.equal(contentType(response), "application/problem+json");
      assert.equal(error?.status, 401);
      assert.match(response.headers.get("www-authenticate") ?? "", /X-Api-Key/);
    });
  });
}
