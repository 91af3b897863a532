// Probe 2: the OWASP API Security Top 10 checks that apply to this API.
import { test, before } from "node:test";
import assert from "node:assert/strict";
import { call, newTenant, validBody, countAll, assertProblem, assertNoLeak, RESOURCES, ADMIN, BASE, randomUUID } from "./lib.mjs";

let a, b; // two tenants; b attacks a
const ids = {}; // a's record id per resource
const seen = []; // every response, checked for exposed secrets at the end
async function c(...args) { const r = await call(...args); seen.push([`${args[0]} ${args[1]}`, r]); return r; }

before(async () => {
  a = await newTenant("owasp-a");
  b = await newTenant("owasp-b");
  const cl = await c("POST", "/v1/clients", { key: a.key, body: validBody("clients") });
  ids.clients = cl.json.id;
  for (const r of RESOURCES.filter((x) => x !== "clients")) {
    const res = await c("POST", `/v1/${r}`, { key: a.key, body: validBody(r, ids.clients) });
    assert.equal(res.status, 201, res.text);
    ids[r] = res.json.id;
  }
});

test("API1 BOLA: another tenant's ids answer 404 on read, replace and delete, and change nothing", async () => {
  const beforeCounts = await countAll(a.key);
  const bClient = (await c("POST", "/v1/clients", { key: b.key, body: validBody("clients") })).json.id;
  for (const r of RESOURCES) {
    assertProblem(await c("GET", `/v1/${r}/${ids[r]}`, { key: b.key }), `GET ${r}`, [404]);
    assertProblem(await c("PUT", `/v1/${r}/${ids[r]}`, { key: b.key, body: validBody(r, bClient) }), `PUT ${r}`, [404]);
    assertProblem(await c("DELETE", `/v1/${r}/${ids[r]}`, { key: b.key }), `DELETE ${r}`, [404]);
    // b's list never shows a's record.
    const list = await c("GET", `/v1/${r}?limit=200`, { key: b.key });
    assert.equal(list.status, 200);
    assert.ok(!list.text.includes(ids[r]), `${r}: b's list shows a's record`);
  }
  // b cannot point its own records at a's client.
  for (const r of ["contracts", "surveys"]) {
    const res = await c("POST", `/v1/${r}`, { key: b.key, body: validBody(r, ids.clients) });
    assertProblem(res, `${r} naming another tenant's client`);
  }
  assert.deepEqual(await countAll(a.key), beforeCounts);
  for (const r of RESOURCES) assert.equal((await c("GET", `/v1/${r}/${ids[r]}`, { key: a.key })).status, 200);
});

test("API2 broken authentication: missing, garbage, forged and cross-role keys are refused", async () => {
  const forged = a.key.replace(/.$/, (ch) => (ch === "a" ? "b" : "a"));
  for (const [label, key] of [["missing", undefined], ["empty", ""], ["garbage", "nope"], ["forged secret", forged],
    ["other tenant's id with a's secret", a.key.replace(/^kpi_[^_]+_/, `kpi_${b.key.match(/^kpi_([^_]+)_/)[1]}_`)], ["SQL", "' OR 1=1 --"]]) {
    const r = await c("GET", "/v1/clients", { key });
    assertProblem(r, `tenant route, ${label} key`, [401]);
    assert.ok(r.headers.get("www-authenticate"), `${label}: no WWW-Authenticate`);
  }
  assertProblem(await c("GET", "/v1/clients", { key: ADMIN }), "operator key on a tenant route", [401]);
  assertProblem(await c("POST", "/v1/tenants", { key: a.key, body: { name: "x", industry: "software", currency: "USD" } }), "tenant key creating a tenant", [403]);
  assertProblem(await c("GET", `/v1/tenants/${a.id}`, { key: a.key }), "tenant key reading its tenant via the operator route", [403]);
  assertProblem(await c("POST", `/v1/tenants/${b.id}/api-key`, { key: a.key }), "tenant key rotating another tenant's key", [403]);
  assertProblem(await c("GET", `/v1/tenants/${a.id}`, { key: "wrong-operator" }), "wrong operator key", [401]);
});

test("API2 a rotated key stops working at once; the new one works", async () => {
  const t = await newTenant("owasp-rotate");
  const r = await c("POST", `/v1/tenants/${t.id}/api-key`, { key: ADMIN });
  assert.equal(r.status, 200, r.text);
  assertProblem(await c("GET", "/v1/clients", { key: t.key }), "old key after rotation", [401]);
  assert.equal((await c("GET", "/v1/clients", { key: r.json.apiKey })).status, 200);
});

test("API3 mass assignment: server-owned fields are refused on create, replace and batch", async () => {
  const before = await countAll(a.key);
  for (const field of [["id", randomUUID()], ["tenantId", b.id], ["createdAt", "2020-01-01T00:00:00Z"], ["updatedAt", "2020-01-01T00:00:00Z"]]) {
    for (const r of RESOURCES) {
      const body = { ...validBody(r, ids.clients), [field[0]]: field[1] };
      assertProblem(await c("POST", `/v1/${r}`, { key: a.key, body }), `POST ${r} with ${field[0]}`, [400]);
      assertProblem(await c("PUT", `/v1/${r}/${ids[r]}`, { key: a.key, body }), `PUT ${r} with ${field[0]}`, [400]);
      assertProblem(await c("POST", `/v1/${r}/batch`, { key: a.key, body: { items: [body] } }), `batch ${r} with ${field[0]}`, [400]);
    }
  }
  assert.deepEqual(await countAll(a.key), before);
  assert.deepEqual(await countAll(b.key), { clients: 1, contracts: 0, leads: 0, surveys: 0, costs: 0 });
});

test("API4 resource consumption: page, batch and request-size limits", async () => {
  assertProblem(await c("GET", "/v1/clients?limit=201", { key: a.key }), "limit=201", [400]);
  const tooMany = { items: Array.from({ length: 1001 }, () => validBody("leads")) };
  assertProblem(await c("POST", "/v1/leads/batch", { key: a.key, body: tooMany }), "1001-item batch", [400, 413]);
  // 31 MB of CSV: over the 30 MB request limit.
  const big = "externalId,createdOn\n" + `x,2025-01-01\n`.repeat(2_700_000);
  const r = await call("POST", "/v1/leads/import", { key: a.key, body: big, type: "text/csv" });
  assertProblem(r, "31 MB import", [413]);
  assert.match(r.json.title, /large/i);
});

test("API8 security headers on every kind of answer", async () => {
  const answers = [
    ["200 tenant data", await c("GET", "/v1/clients", { key: a.key })],
    ["404", await c("GET", `/v1/clients/${randomUUID()}`, { key: a.key })],
    ["401", await c("GET", "/v1/clients", { key: "nope" })],
    ["400", await c("POST", "/v1/clients", { key: a.key, body: "{" })],
  ];
  for (const [label, r] of answers) {
    assert.equal(r.headers.get("x-content-type-options"), "nosniff", `${label}: nosniff`);
    assert.equal(r.headers.get("server"), null, `${label}: Server header ${r.headers.get("server")}`);
    assert.match(r.headers.get("cache-control") ?? "", /no-store/, `${label}: Cache-Control ${r.headers.get("cache-control")}`);
  }
  const h = await call("GET", "/health/live");
  assert.equal(h.headers.get("server"), null);
  assert.equal(h.headers.get("x-content-type-options"), "nosniff");
  // Swagger UI is off in Production (the probes run the server in Production).
  assert.equal((await call("GET", "/swagger/index.html")).status, 404);
});

test("API3 excessive data exposure: no tenantId, key hash or secret in any response", async () => {
  // A fresh set of reads so every kind of body is inspected.
  for (const r of RESOURCES) {
    await c("GET", `/v1/${r}/${ids[r]}`, { key: a.key });
    await c("GET", `/v1/${r}?limit=5`, { key: a.key });
    await c("GET", `/v1/${r}`, { key: a.key, headers: { Accept: "text/csv" } });
  }
  await c("GET", `/v1/tenants/${a.id}`, { key: ADMIN });
  await c("GET", "/v1/scorecard?from=2025-01-01&to=2025-12-31", { key: a.key });
  // kpi_<id>_<secret>; the secret itself may hold underscores.
  const aSecret = a.key.match(/^kpi_[^_]+_(.+)$/)[1];
  assert.ok(aSecret.length >= 16, `unexpected key format: secret of ${aSecret.length} characters`);
  for (const [label, r] of seen) {
    // As a JSON property or a CSV column (an error's detail may name the field it refuses).
    if (r.status < 300) assert.doesNotMatch(r.text, /"(tenantId|tenant_id|keyHash|apiKeyHash|hash|secret|password)"\s*:/i, `${label}: exposes a server-side field: ${r.text.slice(0, 300)}`);
    if (r.status < 300 && !r.json) assert.doesNotMatch(r.text.split("\n")[0], /tenant|hash/i, `${label}: CSV header exposes a server-side column`);
    assert.ok(!r.text.includes(aSecret), `${label}: echoes tenant a's secret`);
    assert.ok(!r.text.includes(ADMIN), `${label}: echoes the operator key`);
    assert.ok(!r.text.includes(a.id) || label.includes("/v1/tenants"), `${label}: shows tenant a's id`);
    if (r.status >= 400) assertNoLeak(r, label);
  }
  const tenant = (await call("GET", `/v1/tenants/${a.id}`, { key: ADMIN })).json;
  assert.deepEqual(Object.keys(tenant).sort(), ["createdAt", "currency", "id", "industry", "name"]);
});

test("API4 per-tenant rate limit: 429 with Retry-After and a problem body, other tenants unaffected", async () => {
  const t = await newTenant("owasp-flood");
  // 600 a minute by default: 700 requests in a burst must meet the limit.
  const results = await Promise.all(Array.from({ length: 700 }, () => call("GET", "/v1/leads?limit=1", { key: t.key })));
  for (const r of results) assert.ok(r.status === 200 || r.status === 429, `flood: ${r.status}`);
  const limited = results.filter((r) => r.status === 429);
  assert.ok(limited.length > 0, "no 429 after 700 requests");
  assertProblem(limited[0], "rate-limited answer", [429]);
  assert.match(limited[0].headers.get("retry-after") ?? "", /^\d+$/);
  assert.equal((await call("GET", "/v1/leads?limit=1", { key: a.key })).status, 200, "another tenant was slowed");
});

// Last in this file (and this file runs after the others that need a working auth path): it trips the
// per-address limiter for refused keys, which then answers 429 to bad keys from 127.0.0.1 for a minute.
test("API2/API4 authentication floods: refused keys from one address meet a 429 with Retry-After", async () => {
  const results = [];
  for (let i = 0; i < 10; i++) {
    results.push(...await Promise.all(Array.from({ length: 10 }, () => call("GET", "/v1/clients", { key: `kpi_${randomUUID()}_x` }))));
  }
  for (const r of results) assert.ok(r.status === 401 || r.status === 429, `bad key: ${r.status}`);
  const limited = results.find((r) => r.status === 429);
  assert.ok(limited, "100 bad keys in a row never met a 429");
  assertProblem(limited, "auth-flood 429", [429]);
  assert.match(limited.headers.get("retry-after") ?? "", /^\d+$/);
  assert.equal((await call("GET", "/v1/clients", { key: a.key })).status, 200, "a valid tenant was slowed by the flood");
  const ops = [];
  for (let i = 0; i < 10; i++) ops.push(await call("GET", `/v1/tenants/${a.id}`, { key: "bad-operator" }));
  assert.ok(ops.every((r) => r.status === 429), "wrong operator keys after the flood are not limited");
  assert.equal((await call("GET", `/v1/tenants/${a.id}`, { key: ADMIN })).status, 200, "the operator was slowed");
});
