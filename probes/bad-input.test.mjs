// Probe 1: the bad-input table. Every hostile input on every write endpoint and the KPI reads is refused
// with a 4xx RFC 9457 problem (never a 5xx), and nothing of a refused request is stored.
import { test, before } from "node:test";
import assert from "node:assert/strict";
import { call, newTenant, validBody, countAll, assertProblem, assertNoLeak, RESOURCES, ADMIN, randomUUID } from "./lib.mjs";

const HUGE_STRING = "x".repeat(100_000);

// Field mutations applied to a valid body (each one alone must make the request a refusal).
function bodyCases(resource, clientId) {
  const v = () => validBody(resource, clientId);
  const str = resource === "clients" ? "name" : resource === "leads" ? "source" : resource === "costs" || resource === "contracts" ? "currency" : "kind";
  const date = { clients: "acquiredOn", contracts: "signedOn", leads: "createdOn", surveys: "respondedOn", costs: "incurredOn" }[resource];
  const num = { clients: null, contracts: "value", leads: null, surveys: "score", costs: "amount" }[resource];
  const cases = [
    ["wrong type (number for a string)", { ...v(), [str]: 12345 }],
    ["wrong type (object for a date)", { ...v(), [date]: { y: 2025 } }],
    ["NUL in a string", { ...v(), externalId: "a\u0000b" }],
    ["control character in a string", { ...v(), externalId: "a\u0007b" }],
    ["huge string", { ...v(), externalId: HUGE_STRING }],
    ["unknown field", { ...v(), favouriteColour: "red" }],
    ["server-owned id", { ...v(), id: randomUUID() }],
    ["server-owned tenantId", { ...v(), tenantId: randomUUID() }],
    ["server-owned createdAt", { ...v(), createdAt: "2025-01-01T00:00:00Z" }],
    ["date out of range", { ...v(), [date]: "10000-01-01" }],
    ["date not YYYY-MM-DD", { ...v(), [date]: "01/02/2025" }],
    ["impossible date", { ...v(), [date]: "2025-02-30" }],
    ["null body", null],
    ["array body", [v()]],
    ["string body", "hello"],
  ];
  if (num) {
    cases.push(["huge number", { ...v(), [num]: 1e308 }]);
    cases.push(["number beyond double", { __raw: JSON.stringify(v()).replace(/}$/, `,"${num}":1e999}`) }]);
    cases.push(["negative number", { ...v(), [num]: -5 }]);
    cases.push(["number as string", { ...v(), [num]: "12" }]);
  }
  if (resource === "contracts" || resource === "surveys") {
    cases.push(["non-UUID clientId", { ...v(), clientId: "../../etc/passwd" }]);
    cases.push(["another tenant's / unknown clientId", { ...v(), clientId: randomUUID() }]);
  }
  return cases;
}

// Raw payloads: malformed at the byte level.
function rawCases(resource, clientId) {
  const json = JSON.stringify(validBody(resource, clientId));
  return [
    ["empty body", "", "application/json"],
    ["truncated JSON", json.slice(0, -3), "application/json"],
    ["duplicate key", json.replace(/}$/, `,"externalId":"dup-${randomUUID()}"}`), "application/json"],
    ["duplicate key in another case", json.replace(/}$/, `,"ExternalId":"dup-${randomUUID()}"}`), "application/json"],
    ["invalid UTF-8", Buffer.concat([Buffer.from(json.slice(0, -1) + ',"zz":"'), Buffer.from([0xff, 0xfe, 0xc3]), Buffer.from('"}')]), "application/json"],
    ["deep nesting", json.replace(/}$/, `,"deep":${"[".repeat(3000)}${"]".repeat(3000)}}`), "application/json"],
    ["wrong content type", json, "text/plain"],
    ["no content type", json, null],
    ["XML", "<client><name>x</name></client>", "application/xml"],
  ];
}

let t; // the tenant whose counts must not move
let clientId;
const refusals = [];
before(async () => {
  t = await newTenant("bad-input");
  const c = await call("POST", "/v1/clients", { key: t.key, body: validBody("clients") });
  assert.equal(c.status, 201, c.text);
  clientId = c.json.id;
});

async function send(method, path, body, type) {
  if (body && typeof body === "object" && !Array.isArray(body) && body.__raw) return call(method, path, { key: t.key, body: body.__raw });
  if (typeof body === "string" || Buffer.isBuffer(body)) return call(method, path, { key: t.key, body, type });
  return call(method, path, { key: t.key, body: body === null ? "null" : body, type });
}

for (const resource of RESOURCES) {
  test(`${resource}: create, replace and batch refuse every hostile body; nothing stored`, async () => {
    const before = await countAll(t.key);
    const existing = await call("POST", `/v1/${resource}`, { key: t.key, body: validBody(resource, clientId) });
    assert.equal(existing.status, 201, existing.text);
    before[resource] += 1;
    const id = existing.json.id;
    for (const [label, body] of bodyCases(resource, clientId)) {
      assertProblem(await send("POST", `/v1/${resource}`, body), `POST ${resource} ${label}`);
      assertProblem(await send("PUT", `/v1/${resource}/${id}`, body), `PUT ${resource} ${label}`);
      if (body && typeof body === "object" && !Array.isArray(body) && !body.__raw) {
        // The bad item follows a valid one: the whole batch must be refused, the valid item not stored.
        const batch = { items: [validBody(resource, clientId), body] };
        assertProblem(await send("POST", `/v1/${resource}/batch`, batch), `batch ${resource} ${label}`);
      }
    }
    for (const [label, body, type] of rawCases(resource, clientId)) {
      assertProblem(await send("POST", `/v1/${resource}`, body, type), `POST ${resource} ${label}`);
      assertProblem(await send("PUT", `/v1/${resource}/${id}`, body, type), `PUT ${resource} ${label}`);
      const batchBody = typeof body === "string" && type === "application/json" && body.startsWith("{")
        ? `{"items":[${body}]}` : body;
      assertProblem(await send("POST", `/v1/${resource}/batch`, batchBody, type), `batch ${resource} ${label}`);
    }
    for (const [label, batch] of [
      ["empty items", { items: [] }],
      ["items not an array", { items: "x" }],
      ["1001 items", { items: Array.from({ length: 1001 }, () => validBody(resource, clientId)) }],
      ["same externalId twice", (() => { const a = validBody(resource, clientId); return { items: [a, { ...a }] }; })()],
    ]) assertProblem(await send("POST", `/v1/${resource}/batch`, batch), `batch ${resource} ${label}`);
    for (const badId of ["not-a-uuid", "..%2F..%2Fetc%2Fpasswd", "1%20OR%201%3D1", "x".repeat(3000)]) {
      const g = await call("GET", `/v1/${resource}/${badId}`, { key: t.key });
      assertProblem(g, `GET ${resource}/${badId.slice(0, 20)}`, [400, 404]);
      assertProblem(await send("PUT", `/v1/${resource}/${badId}`, validBody(resource, clientId)), `PUT ${resource}/${badId.slice(0, 20)}`, [400, 404]);
      assertProblem(await call("DELETE", `/v1/${resource}/${badId}`, { key: t.key }), `DELETE ${resource}/${badId.slice(0, 20)}`, [400, 404]);
    }
    const after = await countAll(t.key);
    assert.deepEqual(after, before, "records stored by a refused request");
    // The replaced record kept its original content.
    const g = await call("GET", `/v1/${resource}/${id}`, { key: t.key });
    assert.equal(g.status, 200);
    assert.equal(g.json.externalId, existing.json.externalId);
  });

  test(`${resource}: CSV import refuses every hostile file; nothing stored`, async () => {
    const before = await countAll(t.key);
    const cols = Object.keys(validBody(resource, clientId));
    const row = () => cols.map((c) => String(validBody(resource, clientId)[c])).join(",");
    const header = cols.join(",");
    const cases = [
      ["empty file", ""],
      ["header only with unknown column", header + ",bogus\n"],
      ["server-owned column", header + ",tenantId\n" + row() + "," + randomUUID() + "\n"],
      ["duplicate header", header + "," + cols[0] + "\n" + row() + ",x\n"],
      ["extra field", header + "\n" + row() + ",extra\n"],
      ["stray quote", header + "\n" + row() + "\n" + row().replace(",", ',a"b') + "\n"],
      ["unterminated quote", header + "\n" + row() + "\n\"" + row() + "\n"],
      ["NUL in a cell", header + "\n" + row() + "\n" + row().replace(/^[^,]*/, "a\u0000b") + "\n"],
      ["bad date", header + "\n" + row().replace(/\d{4}-\d{2}-\d{2}/, "2025-13-45") + "\n"],
      ["invalid UTF-8", Buffer.concat([Buffer.from(header + "\n"), Buffer.from([0xff, 0xfe, 0x2c]), Buffer.from(row() + "\n")])],
      ["huge cell", header + "\n" + row().replace(/^[^,]*/, "y".repeat(100_000)) + "\n"],
      ["JSON instead of CSV", JSON.stringify(validBody(resource, clientId))],
    ];
    for (const [label, body] of cases) {
      assertProblem(await call("POST", `/v1/${resource}/import`, { key: t.key, body, type: "text/csv" }), `import ${resource} ${label}`);
    }
    assertProblem(await call("POST", `/v1/${resource}/import`, { key: t.key, body: header + "\n" + row() + "\n", type: "application/json" }),
      `import ${resource} wrong content type`, [400, 415]);
    assert.deepEqual(await countAll(t.key), before, "records stored by a refused import");
  });
}

test("formula and SQL injection strings are stored as inert text and read back verbatim", async () => {
  for (const value of ["=HYPERLINK(\"http://x\")", "'; DROP TABLE clients; --", "1' OR '1'='1", "@SUM(A1)", "+1-1"]) {
    const r = await call("POST", "/v1/clients", { key: t.key, body: { ...validBody("clients"), name: value } });
    assert.equal(r.status, 201, `${value}: ${r.text}`);
    const g = await call("GET", `/v1/clients/${r.json.id}`, { key: t.key });
    assert.equal(g.json.name, value);
  }
  // The tables survived the injection attempts.
  assert.ok((await countAll(t.key)).clients >= 5);
});

test("tenant creation refuses every hostile body; no tenant created", async () => {
  const valid = () => ({ name: `t ${randomUUID()}`, industry: "software", currency: "USD" });
  const cases = [
    ["empty body", ""], ["null", "null"], ["array", "[]"],
    ["NUL in name", { ...valid(), name: "a\u0000b" }],
    ["huge name", { ...valid(), name: HUGE_STRING }],
    ["unknown currency", { ...valid(), currency: "XXXX" }],
    ["wrong type", { ...valid(), name: 5 }],
    ["unknown field", { ...valid(), plan: "gold" }],
    ["server-owned id", { ...valid(), id: randomUUID() }],
    ["server-owned apiKey", { ...valid(), apiKey: "kpi_x_y" }],
    ["duplicate key", JSON.stringify(valid()).replace(/}$/, ',"name":"other"}')],
  ];
  for (const [label, body] of cases) {
    const r = await call("POST", "/v1/tenants", { key: ADMIN, body });
    assertProblem(r, `tenant ${label}`);
  }
  assertProblem(await call("POST", "/v1/tenants", { key: ADMIN, body: JSON.stringify(valid()), type: "text/plain" }), "tenant wrong content type");
  for (const badId of ["nope", "..%2F.."]) {
    assertProblem(await call("GET", `/v1/tenants/${badId}`, { key: ADMIN }), `tenant GET ${badId}`, [400, 404]);
  }
});

test("KPI reads refuse hostile query strings with a problem, never a 5xx", async () => {
  const q = [
    "from=2025-13-01&to=2025-12-31", "from=0000-01-01&to=9999-12-31", "from=2025-12-31&to=2025-01-01",
    "from=abc&to=def", "from=2025-01-01&to=2025-12-31&industry=%00", "from=2025-01-01&to=2025-12-31&segment=%07",
    "from=2025-01-01&to=2025-12-31&source=" + "s".repeat(2_000),
    "from=%FF%FE&to=2025-12-31",
    "from=2025-01-01&from=2025-02-01&to=2025-12-31",
  ];
  for (const qs of q) {
    for (const path of ["/v1/scorecard", "/v1/kpis/revenue", "/v1/kpis/revenue/series"]) {
      const r = await call("GET", `${path}?${qs}`, { key: t.key });
      assertProblem(r, `GET ${path}?${qs.slice(0, 60)}`);
    }
  }
  // An injection string is a legal filter value: it is a plain filter value and never fails.
  const inj = await call("GET", "/v1/scorecard?from=2025-01-01&to=2025-12-31&industry=" + encodeURIComponent("' OR 1=1 --"), { key: t.key });
  assert.equal(inj.status, 200, inj.text.slice(0, 300));
  assertNoLeak(inj, "industry injection");
  for (const qs of ["from=2025-01-01&to=2025-12-31&interval=week", "from=2025-01-01&to=2025-12-31&interval=%00"]) {
    assertProblem(await call("GET", `/v1/kpis/revenue/series?${qs}`, { key: t.key }), `series ?${qs}`, [400]);
  }
  for (const id of ["..%2F..%2Fetc", "nope"]) {
    assertProblem(await call("GET", `/v1/kpis/${id}?from=2025-01-01&to=2025-03-31`, { key: t.key }), `kpi ${id}`, [400, 404]);
  }
  for (const qs of ["limit=0", "limit=201", "limit=-1", "limit=abc", "cursor=%00", "cursor=garbage", "from=2025-02-30", "limit=99999999999999999999"]) {
    assertProblem(await call("GET", `/v1/clients?${qs}`, { key: t.key }), `list ?${qs}`, [400]);
  }
});

// A request target over 8 KiB reaches the API (Kestrel's request-line limit is raised to 64 KiB for this) and is
// answered with a 414 problem. Kestrel itself refuses, before any middleware runs, a NUL in the path and a request
// line over 64 KiB: the status is right (400 / 414, never a 5xx) and the connection is closed, but the body is
// empty, and no application code can change that (see probes/README.md).
const LONG_TARGETS = [
  ["query string over 8 KiB", "/v1/scorecard?from=2025-01-01&to=2025-12-31&source=" + "s".repeat(20_000)],
  ["path over 8 KiB", "/v1/clients/" + "a".repeat(9_000)],
];
const KESTREL_CASES = [
  ["NUL (%00) in a path id", "/v1/clients/%00", 400],
  ["NUL (%00) in a tenant id", "/v1/tenants/%00", 400],
  ["request line over Kestrel's 64 KiB limit", "/v1/scorecard?from=2025-01-01&to=2025-12-31&source=" + "s".repeat(70_000), 414],
];
test("a request target over 8 KiB is a 414 problem saying how long it may be", async () => {
  for (const [label, path] of LONG_TARGETS) {
    const r = await call("GET", path, { key: t.key });
    assertProblem(r, label, [414]);
    assert.match(r.json.detail ?? "", /at most 8192 characters/, `${label}: ${r.text.slice(0, 300)}`);
  }
});
test("what Kestrel refuses before the pipeline gets the right 4xx, an empty body and a closed connection", async () => {
  for (const [label, path, status] of KESTREL_CASES) {
    const r = await call("GET", path, { key: t.key });
    assert.equal(r.status, status, `${label}: ${r.status} ${r.text.slice(0, 200)}`);
    assert.equal(r.text, "", `${label}: Kestrel's refusal now has a body; make it a problem check (probes/README.md)`);
    assert.equal(r.headers.get("connection"), "close", `${label}: connection`);
    assertNoLeak(r, label);
  }
});

// The probes below use tenants of their own: the tenant above has used much of its per-minute rate limit by now.
test("enum query parameters are case-exact, like enum body values", async () => {
  const t = await newTenant("enums");
  for (const qs of ["interval=MONTH", "interval=Month", "interval=month&compare=PREVIOUS-YEAR", "interval=month&compare=calendar",
    "interval=month&compare=same-length", "interval=month&compare=year-over-year"]) {
    const r = await call("GET", `/v1/kpis/revenue/series?from=2025-01-01&to=2025-12-31&${qs}`, { key: t.key });
    assertProblem(r, qs, [400]);
    const name = qs.includes("compare") ? "compare" : "interval";
    assert.ok(r.json.errors?.[name], `${qs}: the problem names ${name}: ${r.text.slice(0, 300)}`);
  }
  for (const compare of ["previous-period", "previous-year", "none"]) {
    const r = await call("GET", `/v1/kpis/revenue/series?from=2025-01-01&to=2025-12-31&interval=month&compare=${compare}`, { key: t.key });
    assert.equal(r.status, 200, `compare=${compare}: ${r.text.slice(0, 300)}`);
    assert.ok(r.json.points.every((p) => p.comparison && typeof p.comparison.basis === "string"), `compare=${compare}: comparison on each point`);
  }
});

test("a body without Content-Type is a 415 problem saying which Content-Type to send; nothing stored", async () => {
  const t = await newTenant("content-type");
  const before = await countAll(t.key);
  const json = Buffer.from(JSON.stringify(validBody("clients")));
  // A Buffer body makes fetch send no Content-Type at all (a string body would be sent as text/plain).
  for (const [path, expected] of [["/v1/clients", "application/json"], ["/v1/clients/batch", "application/json"], ["/v1/clients/import", "text/csv"]]) {
    const r = await call("POST", path, { key: t.key, body: json, type: null });
    assertProblem(r, `POST ${path} without Content-Type`, [415]);
    assert.ok((r.json.detail ?? "").includes(`Content-Type: ${expected}`), `POST ${path}: ${r.text.slice(0, 300)}`);
  }
  assert.deepEqual(await countAll(t.key), before);
});

test("routing refusals carry a problem that says what to do: a non-UUID id, an unknown path, a missing method", async () => {
  const t = await newTenant("routing");
  const id = await call("GET", "/v1/clients/not-a-uuid", { key: t.key });
  assertProblem(id, "non-UUID id", [404]);
  assert.match(id.json.detail ?? "", /not an id: .*UUIDs/, id.text);
  const path = await call("GET", "/v1/no-such-thing", { key: t.key });
  assertProblem(path, "unknown path", [404]);
  assert.match(path.json.detail ?? "", /openapi\/v1\.json/, path.text);
  const method = await call("DELETE", "/v1/clients", { key: t.key });
  assertProblem(method, "DELETE on a collection", [405]);
  assert.match(method.json.detail ?? "", /no DELETE operation/, method.text);
});

test("errors are problems whatever the Accept header names (a CSV export's text/csv, a browser's text/html)", async () => {
  const t = await newTenant("accept");
  for (const accept of ["text/csv", "text/html", "image/png"]) {
    assertProblem(await call("GET", "/v1/clients", { key: "kpi_wrong_key", headers: { Accept: accept } }), `401, Accept: ${accept}`, [401]);
    assertProblem(await call("GET", "/v1/clients/not-a-uuid", { key: t.key, headers: { Accept: accept } }), `404, Accept: ${accept}`, [404]);
    assertProblem(await call("GET", "/v1/clients?limit=0", { key: t.key, headers: { Accept: accept } }), `400, Accept: ${accept}`, [400]);
  }
});

// Issue 18, item 4: oversized headers. An X-Api-Key longer than any key and headers over 32 KiB in all reach the API
// (Kestrel's header limit is raised to 128 KiB for this) and are answered with problems; only headers over 128 KiB or
// more than 100 header fields are refused by Kestrel itself: an empty 431 and a closed connection (probes/README.md).
test("an oversized API key is a 401 problem saying the key is too long; oversized headers a 431 problem", async () => {
  const t = await newTenant("headers");
  const key = await call("GET", "/v1/clients", { key: "kpi_" + "k".repeat(60 * 1024) });
  assertProblem(key, "60 KB X-Api-Key", [401]);
  assert.match(key.json.detail ?? "", /too long/, key.text.slice(0, 300));
  assert.ok(key.headers.get("www-authenticate"), "401 without WWW-Authenticate");
  const padded = await call("GET", "/v1/clients", { key: t.key, headers: { "X-Padding": "p".repeat(40 * 1024) } });
  assertProblem(padded, "40 KB of headers", [431]);
  assert.match(padded.json.detail ?? "", /X-Padding/i, padded.text.slice(0, 300));
  // Under the limits the same tenant is served.
  assert.equal((await call("GET", "/v1/clients", { key: t.key, headers: { "X-Padding": "p".repeat(8 * 1024) } })).status, 200);
});
test("headers over Kestrel's 128 KiB or 100 fields get Kestrel's empty 431 and a closed connection", async () => {
  const t = await newTenant("kestrel-headers");
  const many = Object.fromEntries(Array.from({ length: 120 }, (_, i) => [`X-Field-${i}`, "v"]));
  for (const [label, headers] of [["130 KiB of headers", { "X-Padding": "p".repeat(130 * 1024) }], ["120 header fields", many]]) {
    const r = await call("GET", "/v1/clients", { key: t.key, headers });
    assert.equal(r.status, 431, `${label}: ${r.status} ${r.text.slice(0, 200)}`);
    assert.equal(r.text, "", `${label}: Kestrel's refusal now has a body; make it a problem check (probes/README.md)`);
    assert.equal(r.headers.get("connection"), "close", `${label}: connection`);
  }
});

// Issue 16, item 5: alert rules on the number of clients at risk (kpiId at-risk-clients + riskThreshold).
test("an at-risk-clients rule refuses every hostile riskThreshold, naming it; nothing stored; another tenant's key gets 404", async () => {
  const t = await newTenant("at-risk");
  const rule = { name: "at risk", kpiId: "at-risk-clients", riskThreshold: 0.5, window: "month", condition: { type: "above", threshold: 1 } };
  const cases = [
    ["left out", (({ riskThreshold, ...rest }) => rest)(rule)],
    ["null", { ...rule, riskThreshold: null }],
    ["0", { ...rule, riskThreshold: 0 }],
    ["negative", { ...rule, riskThreshold: -0.5 }],
    ["over 1", { ...rule, riskThreshold: 1.5 }],
    ["5 decimals", { ...rule, riskThreshold: 0.12345 }],
    ["a string", { ...rule, riskThreshold: "0.5; DROP TABLE AlertRules" }],
    ["huge", { ...rule, riskThreshold: 1e308 }],
    ["on a catalog KPI", { ...rule, kpiId: "new-clients" }],
  ];
  for (const [what, body] of cases) {
    const r = await call("POST", "/v1/alerts", { key: t.key, body });
    assertProblem(r, `riskThreshold ${what}`, [400]);
    assert.ok(r.json.errors?.riskThreshold, `${what}: ${r.text.slice(0, 300)}`);
  }
  const benchmark = await call("POST", "/v1/alerts", { key: t.key, body: { ...rule, condition: { type: "outside-benchmark" } } });
  assertProblem(benchmark, "at-risk-clients outside-benchmark", [400]);
  assert.ok(benchmark.json.errors?.["condition.type"], benchmark.text.slice(0, 300));
  assert.equal((await call("GET", "/v1/alerts", { key: t.key })).json.items.length, 0);
  const ok = await call("POST", "/v1/alerts", { key: t.key, body: rule });
  assert.equal(ok.status, 201, ok.text.slice(0, 300));
  assert.equal(ok.json.riskThreshold, 0.5);
  assert.equal(ok.json.toDate, true);
  const other = await newTenant("at-risk-other");
  for (const method of ["GET", "DELETE"]) assertProblem(await call(method, `/v1/alerts/${ok.json.id}`, { key: other.key }), `other tenant ${method}`, [404]);
  assert.equal((await call("GET", `/v1/alerts/${ok.json.id}`, { key: t.key })).status, 200);
});

// Issue 18, items 5-7: lenient inputs, every failing field at once, enum errors that list the values.
test("an alert state filter in another case is a 400 listing the states", async () => {
  const t = await newTenant("alert-state");
  for (const state of ["FIRING", "Firing", "NoData"]) {
    const r = await call("GET", `/v1/alerts?state=${state}`, { key: t.key });
    assertProblem(r, `state=${state}`, [400]);
    assert.match(r.json.errors?.state?.[0] ?? "", /one of pending, ok, firing, no-data/, r.text.slice(0, 300));
  }
  for (const state of ["firing", "no-data"]) assert.equal((await call("GET", `/v1/alerts?state=${state}`, { key: t.key })).status, 200, state);
});

test("null is refused where a boolean may only be left out (alert enabled/toDate, webhook enabled); nothing stored", async () => {
  const t = await newTenant("nulls");
  const rule = { name: "r", kpiId: "new-clients", window: "month", condition: { type: "above", threshold: 5 } };
  for (const field of ["enabled", "toDate"]) {
    const r = await call("POST", "/v1/alerts", { key: t.key, body: { ...rule, [field]: null } });
    assertProblem(r, `alert ${field}: null`, [400]);
    assert.match(r.json.errors?.[field]?.[0] ?? "", /true or false/, r.text.slice(0, 300));
  }
  const w = await call("POST", "/v1/webhook-endpoints", { key: t.key, body: { url: "https://hooks.example.com/k", enabled: null, eventTypes: ["kpi.alert.triggered"] } });
  assertProblem(w, "webhook enabled: null", [400]);
  assert.ok(w.json.errors?.enabled, w.text.slice(0, 300));
  assert.equal((await call("GET", "/v1/alerts", { key: t.key })).json.items.length, 0);
  assert.equal((await call("GET", "/v1/webhook-endpoints", { key: t.key })).json.items.length, 0);
  const ok = await call("POST", "/v1/alerts", { key: t.key, body: rule });
  assert.equal(ok.status, 201, ok.text.slice(0, 300));
  assert.equal(ok.json.enabled, true);
  assert.equal(ok.json.toDate, false);
});

test("a body and a CSV row name every failing field at once, in the same words; enums list their values", async () => {
  const t = await newTenant("all-fields");
  const before = await countAll(t.key);
  const s = await call("POST", "/v1/surveys", { key: t.key, body: { kind: "nps", score: 11, respondedOn: "2025-02-30" } });
  assertProblem(s, "survey score 11 and 2025-02-30", [400]);
  assert.match(s.json.errors?.respondedOn?.[0] ?? "", /2025-02-30 is not a day/, s.text.slice(0, 400));
  assert.ok(s.json.errors?.score, `score not named: ${s.text.slice(0, 400)}`);
  const l = await call("POST", "/v1/leads", { key: t.key, body: { createdOn: "2025-01-05", outcome: "WON", colour: "red" } });
  assertProblem(l, "lead outcome WON and an unknown field", [400]);
  assert.match(l.json.errors?.outcome?.[0] ?? "", /one of won, lost/, l.text.slice(0, 400));
  assert.match(l.json.errors?.colour?.[0] ?? "", /The fields are: externalId, createdOn/, l.text.slice(0, 400));
  const csv = await call("POST", "/v1/surveys/import", { key: t.key, type: "text/csv",
    body: "kind,score,respondedOn\nnps,9,2025-01-01\nnps,11,2025-02-30\n" });
  assertProblem(csv, "CSV score 11 and 2025-02-30", [400]);
  assert.match(csv.json.errors?.["rows[3].respondedOn"]?.[0] ?? "", /2025-02-30 is not a day/, csv.text.slice(0, 400));
  assert.ok(csv.json.errors?.["rows[3].score"], `score not named: ${csv.text.slice(0, 400)}`);
  const won = await call("POST", "/v1/leads/import", { key: t.key, type: "text/csv", body: "createdOn,outcome\n2025-01-05,WON\n" });
  assertProblem(won, "CSV outcome WON", [400]);
  assert.match(won.json.errors?.["rows[2].outcome"]?.[0] ?? "", /one of won, lost/, won.text.slice(0, 400));
  assert.deepEqual(await countAll(t.key), before, "records stored by a refused request");
});
