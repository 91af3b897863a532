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

// Kestrel refuses these while parsing the request line, before any middleware runs: the status is right
// (400 / 414, never a 5xx) but the body is empty, not a problem. Fault recorded; see probes/README.md.
const KESTREL_CASES = [
  ["NUL (%00) in a path id", "/v1/clients/%00"],
  ["NUL (%00) in a tenant id", "/v1/tenants/%00"],
  ["query string over Kestrel's request-line limit", "/v1/scorecard?from=2025-01-01&to=2025-12-31&source=" + "s".repeat(20_000)],
];
test("requests Kestrel refuses at the request line are a 4xx, never a 5xx", async () => {
  for (const [label, path] of KESTREL_CASES) {
    const r = await call("GET", path, { key: t.key });
    assert.ok(r.status >= 400 && r.status < 500, `${label}: ${r.status}`);
    assertNoLeak(r, label);
  }
});
test("requests Kestrel refuses at the request line carry a problem body", {
  todo: "FAULT: Kestrel answers %00 in the path (400) and a >8 KB request line (414) with an empty body, not an RFC 9457 problem",
}, async () => {
  for (const [label, path] of KESTREL_CASES) assertProblem(await call("GET", path, { key: t.key }), label);
});

test("an enum query parameter in another case is refused like an enum body value", {
  todo: "FAULT: GET /v1/kpis/{id}/series?interval=MONTH answers 200 (matched case-insensitively), while body enums must be written exactly (README)",
}, async () => {
  assertProblem(await call("GET", "/v1/kpis/revenue/series?from=2025-01-01&to=2025-12-31&interval=MONTH", { key: t.key }), "interval=MONTH", [400]);
});
