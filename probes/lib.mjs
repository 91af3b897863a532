// Shared helpers for the outside probes: they talk to a live API only through HTTP, as a stranger would.
// Settings come from the environment set by probes/run.sh: KPI_BASE_URL, KPI_ADMIN_KEY (and, for the
// crash probe, PROBE_DLL, PROBE_PROVIDER, PROBE_CONNECTION to restart the server on the same database).
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";

export const BASE = process.env.KPI_BASE_URL;
export const ADMIN = process.env.KPI_ADMIN_KEY;
if (!BASE || !ADMIN) throw new Error("KPI_BASE_URL and KPI_ADMIN_KEY must be set (probes/run.sh sets them)");

export const RESOURCES = ["clients", "contracts", "leads", "surveys", "costs"];

/** One HTTP call. body: an object (sent as JSON), or a string/Buffer sent as-is with `type`. */
export async function call(method, path, { key, body, type, headers = {}, base = BASE } = {}) {
  const h = { ...headers };
  if (key !== undefined) h["X-Api-Key"] = key;
  let payload;
  if (body !== undefined) {
    if (typeof body === "string" || Buffer.isBuffer(body)) payload = body;
    else payload = JSON.stringify(body);
    if (type !== null) h["Content-Type"] = type ?? "application/json";
  }
  const res = await fetch(base + path, { method, headers: h, body: payload });
  const text = await res.text();
  let json;
  try { json = text ? JSON.parse(text) : undefined; } catch { json = undefined; }
  return { status: res.status, headers: res.headers, text, json };
}

export async function newTenant(label = "probe") {
  const r = await call("POST", "/v1/tenants", {
    key: ADMIN,
    body: { name: `${label} ${randomUUID()}`, industry: "software", currency: "USD" },
  });
  assert.equal(r.status, 201, `tenant creation: ${r.text}`);
  return { id: r.json.id, key: r.json.apiKey };
}

/** A valid create body per resource; contracts and surveys need a client of the tenant. */
export function validBody(resource, clientId, n = randomUUID()) {
  switch (resource) {
    case "clients": return { externalId: `c-${n}`, name: "Acme", acquiredOn: "2025-01-15", industry: "software", segment: "smb" };
    case "contracts": return { externalId: `k-${n}`, clientId, signedOn: "2025-01-10", startsOn: "2025-02-01", endsOn: "2026-01-31", value: 1200.5, currency: "USD", kind: "new" };
    case "leads": return { externalId: `l-${n}`, createdOn: "2025-01-05", source: "web" };
    case "surveys": return { externalId: `s-${n}`, kind: "nps", score: 9, respondedOn: "2025-03-01", clientId };
    case "costs": return { externalId: `x-${n}`, category: "marketing", amount: 99.99, currency: "USD", incurredOn: "2025-03-01" };
    default: throw new Error(resource);
  }
}

/** Every record of a resource in one request: the CSV export (header + one line per record, no paging). */
export async function countRecords(key, resource) {
  const r = await call("GET", `/v1/${resource}`, { key, headers: { Accept: "text/csv" } });
  assert.equal(r.status, 200, `export ${resource}: ${r.status} ${r.text.slice(0, 300)}`);
  // Quoted cells may hold line breaks; count records by parsing quotes rather than splitting lines.
  let rows = 0, inQuotes = false, any = false;
  for (const ch of r.text) {
    if (ch === '"') inQuotes = !inQuotes;
    else if (ch === "\n" && !inQuotes) { rows++; any = false; continue; }
    if (ch !== "\r") any = true;
  }
  if (any) rows++;
  return rows - 1; // header
}

export async function countAll(key) {
  const out = {};
  for (const r of RESOURCES) out[r] = await countRecords(key, r);
  return out;
}

// Words that only appear when an exception leaks: a stack frame, an exception type or a provider error.
const LEAK = /(\bat [A-Z][\w.]+\(|Exception\b|Npgsql|SqliteError|SQLite Error|Microsoft\.|System\.|\.cs:line|StackTrace)/;

/** A refusal: 4xx (never 5xx), an RFC 9457 body with type/title/status, nothing leaked. */
export function assertProblem(r, label, allowed) {
  assert.ok(r.status < 500, `${label}: ${r.status} ${r.text.slice(0, 400)}`);
  if (allowed) assert.ok(allowed.includes(r.status), `${label}: status ${r.status} not in ${allowed}: ${r.text.slice(0, 300)}`);
  assert.ok(r.status >= 400, `${label}: accepted with ${r.status}: ${r.text.slice(0, 300)}`);
  assert.match(r.headers.get("content-type") ?? "", /application\/problem\+json/, `${label}: content type`);
  assert.ok(r.json && typeof r.json === "object", `${label}: body is not JSON: ${r.text.slice(0, 200)}`);
  assert.equal(typeof r.json.type, "string", `${label}: problem has no type: ${r.text.slice(0, 300)}`);
  assert.equal(typeof r.json.title, "string", `${label}: problem has no title`);
  assert.equal(r.json.status, r.status, `${label}: problem status ${r.json.status} != ${r.status}`);
  assertNoLeak(r, label);
}

export function assertNoLeak(r, label) {
  assert.doesNotMatch(r.text, LEAK, `${label}: error body leaks internals: ${r.text.slice(0, 400)}`);
}

export { randomUUID };
