// Probe 5: webhooks and alerts from outside. A real receiver (node http on loopback) registered by a tenant,
// an alert rule crossed by pushed surveys, the signed event verified with the Standard Webhooks reference
// library (npm `standardwebhooks`, installed by `npm ci` at the repo root), `kill -9` while a delivery waits
// for its durable retry, the SSRF guard and another tenant's ids.
//
// The server run.sh started runs in Production, where `Webhooks:AllowLoopbackHttp` is refused at start-up (and
// must stay so): it could never deliver to a loopback receiver. So this file starts a server of its own from the
// same dll, in the environment "Probes" (not Production, not Development: only appsettings.json applies), with
// loopback http allowed and short retry and alert timings, on a database of its own (SQLite: a file in
// PROBE_WORK; PostgreSQL: <run.sh's database>_wh, dropped by run.sh). Its pid is kept in $PROBE_WORK/webhooks.pid
// for run.sh to stop. The SSRF refusals of loopback names are checked on run.sh's Production server.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import http from "node:http";
import net from "node:net";
import { spawn } from "node:child_process";
import { writeFileSync, openSync, mkdirSync } from "node:fs";
import path from "node:path";
// From the repo root's node_modules (`npm ci` at the root), as tests/webhooks/verify.mjs uses it.
import { Webhook } from "standardwebhooks";
import { call, newTenant, assertProblem, BASE, ADMIN, randomUUID } from "./lib.mjs";

const { PROBE_DLL, PROBE_PROVIDER, PROBE_CONNECTION, PROBE_WORK } = process.env;
const skip = !(PROBE_DLL && PROBE_PROVIDER && PROBE_CONNECTION && PROBE_WORK)
  ? "needs PROBE_DLL, PROBE_PROVIDER, PROBE_CONNECTION and PROBE_WORK (probes/run.sh sets them)" : false;

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const alive = (pid) => { try { process.kill(pid, 0); return true; } catch { return false; } };

/** Polls `probe` until it returns something truthy; fails with `label` and the last value seen at the deadline. */
async function waitFor(label, probe, ms = 15_000) {
  const deadline = Date.now() + ms;
  let last;
  for (;;) {
    last = await probe();
    if (last) return last;
    if (Date.now() > deadline) assert.fail(`${label}: not within ${ms / 1000} s (last seen: ${JSON.stringify(last)?.slice(0, 600)})`);
    await sleep(150);
  }
}

/** A free loopback port, or the next one of PROBE_WEBHOOK_PORTS (a first port: the server, then the receivers). */
let nextPort = Number(process.env.PROBE_WEBHOOK_PORTS) || 0;
function freePort() {
  if (nextPort) return Promise.resolve(nextPort++);
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.on("error", reject);
    s.listen(0, "127.0.0.1", () => { const { port } = s.address(); s.close(() => resolve(port)); });
  });
}

// ---- the probe's own server (loopback http allowed, short timings) ----

const whConnection = PROBE_PROVIDER === "postgres"
  ? PROBE_CONNECTION?.replace(/(Database=)([^;]+)/i, "$1$2_wh")
  : `Data Source=${PROBE_WORK}/webhooks.db`;
const serverEnv = {
  ...process.env,
  ASPNETCORE_ENVIRONMENT: "Probes",
  Database__Provider: PROBE_PROVIDER,
  ConnectionStrings__Kpi: whConnection,
  Auth__AdminApiKey: ADMIN,
  Webhooks__AllowLoopbackHttp: "true",
  Webhooks__KeysDirectory: PROBE_WORK ? path.join(PROBE_WORK, "webhooks-keys") : "",
  Webhooks__PollInterval: "00:00:00.200",
  Webhooks__AttemptTimeout: "00:00:05",
  // One in-process retry, then durable re-attempts 4 s apart: long enough to see the delivery pending between
  // attempts and kill the server there, short enough that the restarted server re-attempts within seconds.
  Webhooks__MaxRetries: "1",
  Webhooks__RetryBaseDelay: "00:00:00.200",
  Webhooks__RetryMaxDelay: "00:00:01",
  Webhooks__MaxRetryAfter: "00:00:01",
  Webhooks__RetrySchedule__0: "00:00:04",
  Webhooks__RetrySchedule__1: "00:00:04",
  Webhooks__RetrySchedule__2: "00:00:04",
  Webhooks__RetrySchedule__3: "00:00:04",
  Alerts__PollInterval: "00:00:00.200",
  Alerts__QuietPeriod: "00:00:00.500",
};
let WB; // the probe server's base URL
let serverPid = 0;

async function startServer() {
  const log = openSync(path.join(PROBE_WORK, "server-webhooks.log"), "a");
  const child = spawn("dotnet", [PROBE_DLL, "--urls", WB], {
    cwd: path.dirname(PROBE_DLL), env: serverEnv, stdio: ["ignore", log, log], detached: true,
  });
  child.unref();
  serverPid = child.pid;
  writeFileSync(path.join(PROBE_WORK, "webhooks.pid"), String(serverPid));
  for (let i = 0; i < 240; i++) {
    try { if ((await fetch(`${WB}/health/ready`)).ok) return; } catch { /* not listening yet */ }
    assert.ok(alive(serverPid), "the webhook probe's server exited; see server-webhooks.log in PROBE_WORK");
    await sleep(250);
  }
  assert.fail("the webhook probe's server did not become ready within 60 s");
}

async function stopServer(signal) {
  if (!serverPid || !alive(serverPid)) return;
  process.kill(serverPid, signal);
  for (let i = 0; i < 100 && alive(serverPid); i++) await sleep(50);
  if (alive(serverPid)) process.kill(serverPid, "SIGKILL");
  for (let i = 0; i < 100 && alive(serverPid); i++) await sleep(50);
  assert.ok(!alive(serverPid), `the server survived ${signal}`);
}

// ---- receivers ----

/** A webhook receiver on loopback that records every request (headers, raw body, the status it answered). */
async function startReceiver(label) {
  const r = { label, status: 204, requests: [] };
  r.server = http.createServer((req, res) => {
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => {
      const status = r.status;
      r.requests.push({ method: req.method, path: req.url, headers: { ...req.headers }, body: Buffer.concat(chunks).toString("utf8"), answered: status });
      res.writeHead(status, { "content-type": "text/plain", ...(r.location ? { location: r.location } : {}) });
      res.end(status < 300 ? "" : "receiver is down");
    });
  });
  const port = await freePort();
  await new Promise((resolve, reject) => { r.server.once("error", reject); r.server.listen(port, "127.0.0.1", resolve); });
  r.url = `http://127.0.0.1:${port}/hooks/${label}`;
  r.ofType = (type) => r.requests.filter((q) => JSON.parse(q.body).type === type);
  return r;
}

/** Verifies one received request with the reference library; returns the parsed event. */
function verified(secret, request) {
  const event = new Webhook(secret).verify(request.body, request.headers);
  assert.equal(request.method, "POST");
  assert.match(request.headers["content-type"] ?? "", /^application\/json/);
  assert.match(request.headers["webhook-id"] ?? "", /^msg_/);
  return event;
}

// ---- API helpers on the probe server ----

const wcall = (method, p, opts = {}) => call(method, p, { ...opts, base: WB });

async function tenantOn(label) {
  const r = await wcall("POST", "/v1/tenants", {
    key: ADMIN, body: { name: `${label} ${randomUUID()}`, industry: "software", currency: "USD" },
  });
  assert.equal(r.status, 201, `tenant creation: ${r.text}`);
  return { id: r.json.id, key: r.json.apiKey };
}

async function registerEndpoint(key, url, eventTypes) {
  const r = await wcall("POST", "/v1/webhook-endpoints", { key, body: { url, description: "probe receiver", eventTypes } });
  assert.equal(r.status, 201, `endpoint registration: ${r.text}`);
  assert.match(r.json.secret, /^whsec_/);
  return r.json;
}

async function deliveries(key, endpointId) {
  const r = await wcall("GET", `/v1/webhook-endpoints/${endpointId}/deliveries?limit=100`, { key });
  assert.equal(r.status, 200, `deliveries: ${r.text}`);
  return r.json.items;
}

/** The latest complete calendar month of the real calendar (UTC), as the rules' `window: month` reads it. */
function lastCompleteMonth() {
  const now = new Date();
  const first = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1));
  return { mid: new Date(first.getTime() + 14 * 86_400_000).toISOString().slice(0, 10), from: first.toISOString().slice(0, 10) };
}

async function pushSurveys(key, clientId, scores) {
  const month = lastCompleteMonth();
  const items = scores.map((score) => ({ externalId: `s-${randomUUID()}`, kind: "nps", score, respondedOn: month.mid, clientId }));
  const r = await wcall("POST", "/v1/surveys/batch", { key, body: { items } });
  assert.equal(r.status, 200, `survey batch: ${r.text}`);
}

// ---- shared state, test to test (the tests of a file run in order) ----

const s = {};

before(async () => {
  if (skip) return;
  mkdirSync(serverEnv.Webhooks__KeysDirectory, { recursive: true });
  WB = `http://127.0.0.1:${await freePort()}`;
  s.receiverA = await startReceiver("a");
  s.receiverB = await startReceiver("b");
  await startServer();
});

after(async () => {
  if (skip) return;
  await stopServer("SIGTERM").catch(() => {});
  for (const r of [s.receiverA, s.receiverB, s.receiverTarget, s.receiverRedirect]) r?.server.close();
});

test("Production refuses to start with Webhooks:AllowLoopbackHttp=true: one line on stderr, exit code 2", { skip }, async () => {
  const port = await freePort();
  const child = spawn("dotnet", [PROBE_DLL, "--urls", `http://127.0.0.1:${port}`], {
    cwd: path.dirname(PROBE_DLL),
    env: { ...serverEnv, ASPNETCORE_ENVIRONMENT: "Production", ConnectionStrings__Kpi: `Data Source=${PROBE_WORK}/refused.db`, Database__Provider: "sqlite" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr.on("data", (c) => { stderr += c; });
  child.stdout.resume();
  const timer = setTimeout(() => child.kill("SIGKILL"), 30_000);
  const code = await new Promise((resolve) => child.on("exit", (c, signal) => resolve(signal ?? c)));
  clearTimeout(timer);
  assert.equal(code, 2, `exit ${code} (SIGKILL: it started and served); stderr: ${stderr.slice(0, 500)}`);
  assert.equal(stderr.trim().split("\n").length, 1, `stderr is not one line: ${stderr.slice(0, 500)}`);
  assert.match(stderr, /AllowLoopbackHttp/);
  assert.equal((await fetch(`http://127.0.0.1:${port}/health/ready`).catch(() => null)), null, "something answers on its port");
});

test("SSRF: metadata, private, IPv6 loopback and localhost URLs are 400 problems naming url, nothing stored (Production server)", { skip }, async () => {
  const t = await newTenant("ssrf");
  const before = await call("GET", "/v1/webhook-endpoints", { key: t.key });
  assert.equal(before.status, 200, before.text);
  for (const url of ["https://169.254.169.254/latest/meta-data/", "https://10.0.0.1/hooks", "https://[::1]/hooks", "https://localhost/hooks",
    "http://127.0.0.1/hooks"]) {
    const r = await call("POST", "/v1/webhook-endpoints", { key: t.key, body: { url, eventTypes: ["kpi.alert.triggered"] } });
    assertProblem(r, `register ${url}`, [400]);
    assert.ok(r.json.errors && Object.hasOwn(r.json.errors, "url"), `register ${url}: the problem does not name url: ${r.text}`);
  }
  const after = await call("GET", "/v1/webhook-endpoints", { key: t.key });
  assert.deepEqual(after.json, before.json, "a refused URL was stored");

  // Replace is guarded like create: an endpoint (disabled, on a public address) cannot be moved inside.
  const ok = await call("POST", "/v1/webhook-endpoints", { key: t.key, body: { url: "https://93.184.216.34/hooks", enabled: false, eventTypes: ["webhook.test"] } });
  assert.equal(ok.status, 201, ok.text);
  for (const url of ["https://169.254.169.254/latest/meta-data/", "https://[::1]/hooks", `${BASE}/v1/tenants`]) {
    const r = await call("PUT", `/v1/webhook-endpoints/${ok.json.id}`, { key: t.key, body: { url, enabled: false, eventTypes: ["webhook.test"] } });
    assertProblem(r, `replace with ${url}`, [400]);
    assert.ok(r.json.errors && Object.hasOwn(r.json.errors, "url"), `replace with ${url}: the problem does not name url: ${r.text}`);
  }
  assert.equal((await call("GET", `/v1/webhook-endpoints/${ok.json.id}`, { key: t.key })).json.url, "https://93.184.216.34/hooks");
});

// Issue 18 item 1: the outside probe registered these with a 201. Each is a special-purpose block that is not
// globally reachable, or an IPv6 form embedding one (NAT64 local-use, IPv4-translated, Teredo), so 400 on POST and PUT.
const SPECIAL_PURPOSE_URLS = [
  "https://[64:ff9b:1::a9fe:a9fe]/hooks", "https://[64:ff9b:1::a00:1]/hooks", "https://[::ffff:0:127.0.0.1]/hooks",
  "https://[::ffff:0:a9fe:a9fe]/hooks", "https://[2001:0:4136:e378:8000:63bf:3fff:fdd2]/hooks", "https://192.0.2.1/hooks",
  "https://192.88.99.1/hooks", "https://[100::1]/hooks", "https://[2001:db8::1]/hooks",
];
// Item 2: port 0, well-known service ports, and characters a URL may not hold.
const BAD_SHAPE_URLS = [
  "https://93.184.216.34:0/hooks", "https://93.184.216.34:22/hooks", "https://93.184.216.34:25/hooks", "https://93.184.216.34:1023/hooks",
  "https://93.184.216.34/a b", "https://93.184.216.34/a\"b", "https://93.184.216.34/<x>",
];

test("SSRF: special-purpose addresses and embedded IPv4 forms, bad ports and raw spaces are 400 naming url, on POST and PUT (Production server)", { skip }, async () => {
  const t = await newTenant("ssrf-registry");
  const ok = await call("POST", "/v1/webhook-endpoints", { key: t.key, body: { url: "https://93.184.216.34/hooks", enabled: false, eventTypes: ["webhook.test"] } });
  assert.equal(ok.status, 201, ok.text);
  for (const url of [...SPECIAL_PURPOSE_URLS, ...BAD_SHAPE_URLS]) {
    for (const [method, route] of [["POST", "/v1/webhook-endpoints"], ["PUT", `/v1/webhook-endpoints/${ok.json.id}`]]) {
      const r = await call(method, route, { key: t.key, body: { url, enabled: false, eventTypes: ["webhook.test"] } });
      assertProblem(r, `${method} ${url}`, [400]);
      assert.ok(r.json.errors && Object.hasOwn(r.json.errors, "url"), `${method} ${url}: the problem does not name url: ${r.text}`);
    }
  }
  const port = await call("POST", "/v1/webhook-endpoints", { key: t.key, body: { url: "https://93.184.216.34:22/hooks", eventTypes: ["webhook.test"] } });
  assert.match(port.json.errors.url[0], /port/, "the port refusal names the rule");
  const list = await call("GET", "/v1/webhook-endpoints", { key: t.key });
  assert.deepEqual(list.json.items.map((e) => e.url), ["https://93.184.216.34/hooks"], "a refused URL was stored");
  // Production: plain http is refused, and the answer points at the development switch for local receivers.
  const http1 = await call("POST", "/v1/webhook-endpoints", { key: t.key, body: { url: "http://127.0.0.1:8080/hooks", eventTypes: ["webhook.test"] } });
  assertProblem(http1, "plain http to loopback in Production", [400]);
  assert.match(http1.json.errors.url[0], /Webhooks:AllowLoopbackHttp/);
});

test("no port-scan oracle: a closed port and a non-HTTP service both read 'connection failed' in the deliveries", { skip }, async () => {
  const t = await tenantOn("oracle");
  // A service that greets like SSH and closes, and a port where nothing listens.
  const banner = net.createServer((socket) => socket.end("SSH-2.0-OpenSSH_9.6 probe-banner\r\n"));
  const bannerPort = await freePort();
  await new Promise((resolve, reject) => { banner.once("error", reject); banner.listen(bannerPort, "127.0.0.1", resolve); });
  const closedPort = await freePort();
  try {
    for (const [label, port] of [["ssh", bannerPort], ["closed", closedPort]]) {
      const e = await registerEndpoint(t.key, `http://127.0.0.1:${port}/${label}`, ["webhook.test"]);
      const sent = await wcall("POST", `/v1/webhook-endpoints/${e.id}/test`, { key: t.key });
      assert.equal(sent.status, 202, sent.text);
      assert.doesNotMatch(sent.text, /SSH|refused|ECONN/i);
      const ds = await waitFor(`the ${label} attempt recorded`, async () => {
        const items = await deliveries(t.key, e.id);
        return items.length === 1 && items[0].attemptLog.length >= 1 && items;
      });
      assert.equal(ds[0].attemptLog.at(-1).error, "connection failed", `${label}: ${JSON.stringify(ds[0])}`);
      assert.equal(ds[0].lastError, "connection failed");
      assert.doesNotMatch(JSON.stringify(ds), /SSH|banner|refused|reset/i);
    }
  } finally {
    banner.close();
  }
});

test("SSRF: with loopback http allowed, metadata and private addresses are still refused", { skip }, async () => {
  const t = await tenantOn("ssrf-loopback");
  for (const url of ["https://169.254.169.254/latest/meta-data/", "http://169.254.169.254/latest/meta-data/", "https://10.0.0.1/hooks", "http://192.168.1.1/hooks"]) {
    const r = await wcall("POST", "/v1/webhook-endpoints", { key: t.key, body: { url, eventTypes: ["kpi.alert.triggered"] } });
    assertProblem(r, `register ${url}`, [400]);
    assert.ok(r.json.errors && Object.hasOwn(r.json.errors, "url"), `register ${url}: the problem does not name url: ${r.text}`);
  }
  const list = await wcall("GET", "/v1/webhook-endpoints", { key: t.key });
  assert.deepEqual(list.json.items, [], "a refused URL was stored");
});

test("an alert rule crossed by pushed surveys: exactly one kpi.alert.triggered, signed, within seconds", { skip }, async () => {
  const A = s.A = await tenantOn("alerts-a");
  const c = await wcall("POST", "/v1/clients", {
    key: A.key, body: { externalId: `c-${randomUUID()}`, name: "Acme", acquiredOn: "2024-01-15", industry: "software" },
  });
  assert.equal(c.status, 201, c.text);
  s.clientA = c.json.id;
  s.endpointA = await registerEndpoint(A.key, s.receiverA.url, ["kpi.alert.triggered", "kpi.alert.resolved"]);
  const rule = await wcall("POST", "/v1/alerts", {
    key: A.key,
    body: { name: "NPS below zero", kpiId: "net-promoter-score", window: "month", condition: { type: "below", threshold: 0 } },
  });
  assert.equal(rule.status, 201, rule.text);
  s.ruleA = rule.json;
  // Evaluated at once with no answers: no-data, which emits nothing; the surveys then cross the line.
  await waitFor("the new rule's first evaluation", async () => {
    const g = await wcall("GET", `/v1/alerts/${s.ruleA.id}`, { key: A.key });
    return g.json?.lastEvaluatedAt && g.json.state;
  });
  assert.equal(s.receiverA.requests.length, 0, "an event before the data crossed the threshold");

  await pushSurveys(A.key, s.clientA, [0, 1, 2]);
  const request = await waitFor("kpi.alert.triggered at the receiver", () => s.receiverA.ofType("kpi.alert.triggered")[0], 20_000);
  const event = verified(s.endpointA.secret, request);
  assert.equal(event.type, "kpi.alert.triggered");
  assert.equal(event.data.rule.id, s.ruleA.id);
  assert.equal(event.data.state, "firing");
  assert.equal(event.data.result.kpi, "net-promoter-score");
  assert.equal(event.data.result.period.from, lastCompleteMonth().from);
  assert.equal(event.data.result.value, -100);
  assert.deepEqual(event.data.result.inputs, { promoters: 0, passives: 0, detractors: 3, npsAnswers: 3 });
  // The same key with a wrong secret is refused by the reference verifier: the signature really is checked.
  assert.throws(() => new Webhook(`whsec_${Buffer.alloc(32, 7).toString("base64")}`).verify(request.body, request.headers));
  s.triggeredId = request.headers["webhook-id"];

  const rule2 = await wcall("GET", `/v1/alerts/${s.ruleA.id}`, { key: A.key });
  assert.equal(rule2.json.state, "firing");
  const ds = await waitFor("the delivery recorded as succeeded", async () => {
    const items = await deliveries(A.key, s.endpointA.id);
    return items.length === 1 && items[0].status === "succeeded" && items;
  });
  assert.equal(ds[0].webhookId, s.triggeredId);
  assert.equal(ds[0].eventType, "kpi.alert.triggered");
  assert.equal(s.receiverA.ofType("kpi.alert.triggered").length, 1, "kpi.alert.triggered received more than once");
});

test("another tenant's endpoint and rule ids: 404 on get, replace, delete, deliveries, test, rotate-secret, redeliver; its receiver gets nothing", { skip }, async () => {
  const A = s.A, B = s.B = await tenantOn("alerts-b");
  s.endpointB = await registerEndpoint(B.key, s.receiverB.url, ["kpi.alert.triggered", "kpi.alert.resolved", "webhook.test"]);
  const ruleB = await wcall("POST", "/v1/alerts", {
    key: B.key, body: { name: "B's rule", kpiId: "net-promoter-score", window: "quarter", condition: { type: "below", threshold: 10 } },
  });
  assert.equal(ruleB.status, 201, ruleB.text);
  // B's own test event: its channel works, and it gives B a delivery id for A to try.
  assert.equal((await wcall("POST", `/v1/webhook-endpoints/${s.endpointB.id}/test`, { key: B.key })).status, 202);
  const testB = await waitFor("B's webhook.test at B's receiver", () => s.receiverB.ofType("webhook.test")[0]);
  verified(s.endpointB.secret, testB);
  const [deliveryB] = await waitFor("B's test delivery succeeded", async () => {
    const items = await deliveries(B.key, s.endpointB.id);
    return items[0]?.status === "succeeded" && items;
  });
  const endpointBefore = await wcall("GET", `/v1/webhook-endpoints/${s.endpointB.id}`, { key: B.key });
  const ruleBefore = await wcall("GET", `/v1/alerts/${ruleB.json.id}`, { key: B.key });
  const [deliveryA] = await deliveries(A.key, s.endpointA.id);

  const ep = `/v1/webhook-endpoints/${s.endpointB.id}`;
  const endpointBody = { url: s.receiverA.url, description: "hijacked", enabled: true, eventTypes: ["webhook.test"] };
  const ruleBody = { name: "hijacked", kpiId: "net-promoter-score", window: "month", condition: { type: "above", threshold: -1000 } };
  const attempts = [
    ["GET", ep], ["PUT", ep, endpointBody, endpointBefore.headers.get("etag")], ["DELETE", ep],
    ["GET", `${ep}/deliveries`], ["POST", `${ep}/test`], ["POST", `${ep}/rotate-secret`],
    ["POST", `${ep}/deliveries/${deliveryB.id}/redeliver`],
    // A's own endpoint with B's delivery: the delivery is reached only through its own endpoint.
    ["POST", `/v1/webhook-endpoints/${s.endpointA.id}/deliveries/${deliveryB.id}/redeliver`],
    ["GET", `/v1/alerts/${ruleB.json.id}`], ["PUT", `/v1/alerts/${ruleB.json.id}`, ruleBody, ruleBefore.headers.get("etag")],
    ["DELETE", `/v1/alerts/${ruleB.json.id}`],
  ];
  for (const [method, p, body, etag] of attempts) {
    const r = await wcall(method, p, { key: A.key, body, headers: etag ? { "If-Match": etag } : {} });
    assertProblem(r, `A's key: ${method} ${p}`, [404]);
  }
  // And B's key on A's endpoint and delivery.
  for (const [method, p] of [["GET", `/v1/webhook-endpoints/${s.endpointA.id}`], ["POST", `/v1/webhook-endpoints/${s.endpointA.id}/test`],
    ["POST", `/v1/webhook-endpoints/${s.endpointB.id}/deliveries/${deliveryA.id}/redeliver`]]) {
    assertProblem(await wcall(method, p, { key: B.key }), `B's key: ${method} ${p}`, [404]);
  }

  const endpointAfter = await wcall("GET", ep, { key: B.key });
  assert.equal(endpointAfter.status, 200, "B's endpoint is gone");
  assert.deepEqual(endpointAfter.json, endpointBefore.json, "B's endpoint changed");
  const ruleAfter = await wcall("GET", `/v1/alerts/${ruleB.json.id}`, { key: B.key });
  assert.equal(ruleAfter.status, 200, "B's rule is gone");
  assert.equal(ruleAfter.json.name, ruleBefore.json.name);
  assert.deepEqual(ruleAfter.json.condition, ruleBefore.json.condition);
  assert.deepEqual(await deliveries(B.key, s.endpointB.id), [deliveryB], "A's calls added or changed a delivery of B");
  const listA = await wcall("GET", "/v1/webhook-endpoints", { key: A.key });
  assert.deepEqual(listA.json.items.map((e) => e.id), [s.endpointA.id], "A's list shows another tenant's endpoint");
  s.ruleB = ruleB.json;
});

test("a redirect is not followed: the 3xx is a failed attempt and its target gets nothing", { skip }, async () => {
  const R = await tenantOn("redirect");
  const target = s.receiverTarget = await startReceiver("target");
  const redirecting = s.receiverRedirect = await startReceiver("redirect");
  redirecting.status = 307;
  redirecting.location = target.url;
  const endpoint = await registerEndpoint(R.key, redirecting.url, ["webhook.test"]);
  assert.equal((await wcall("POST", `/v1/webhook-endpoints/${endpoint.id}/test`, { key: R.key })).status, 202);
  // Once the attempt is recorded, a followed redirect would already have reached the target.
  const d = await waitFor("the redirected attempt recorded", async () => {
    const [x] = await deliveries(R.key, endpoint.id);
    return x?.attemptLog.length >= 1 && x;
  });
  assert.equal(d.attemptLog.at(-1).responseStatus, 307);
  assert.notEqual(d.status, "succeeded");
  assert.ok(redirecting.requests.length >= 1);
  assert.equal(target.requests.length, 0, "the redirect was followed");
  // Stop its re-attempts from running on in the background.
  assert.equal((await wcall("DELETE", `/v1/webhook-endpoints/${endpoint.id}`, { key: R.key })).status, 204);
});

test("kill -9 while a delivery waits for its durable retry: after restart it arrives once, same webhook-id, attempts listed", { skip }, async () => {
  const A = s.A, rA = s.receiverA;
  rA.status = 500;
  // Ten promoters lift NPS from -100 to about 54: the rule resolves, and kpi.alert.resolved meets a failing receiver.
  await pushSurveys(A.key, s.clientA, Array(10).fill(10));
  const pending = await waitFor("the resolved event pending with a scheduled retry after failed attempts", async () => {
    const d = (await deliveries(A.key, s.endpointA.id)).find((x) => x.eventType === "kpi.alert.resolved");
    return d && d.status === "pending" && d.attempts >= 1 && d.nextAttemptAt && d.attemptLog.length >= 1 && d;
  }, 20_000);
  const killedAt = Date.now();
  await stopServer("SIGKILL");
  const failed = rA.ofType("kpi.alert.resolved");
  assert.ok(failed.length >= 1 && failed.every((q) => q.answered === 500), "the receiver saw no failed attempt before the kill");
  const webhookId = failed[0].headers["webhook-id"];
  assert.equal(pending.webhookId, webhookId, "the deliveries list and the receiver disagree on webhook-id");
  assert.ok(failed.every((q) => q.headers["webhook-id"] === webhookId), "failed attempts of one event carried different webhook-ids");
  assert.notEqual(webhookId, s.triggeredId);
  for (const q of failed) verified(s.endpointA.secret, q);

  rA.status = 204;
  await startServer();
  const ok = await waitFor("kpi.alert.resolved delivered after the restart", () => rA.ofType("kpi.alert.resolved").find((q) => q.answered === 204), 25_000);
  const event = verified(s.endpointA.secret, ok);
  assert.equal(ok.headers["webhook-id"], webhookId, "the re-attempt after the crash is a new message");
  assert.equal(event.type, "kpi.alert.resolved");
  assert.equal(event.data.rule.id, s.ruleA.id);
  assert.equal(event.data.state, "ok");
  assert.equal(event.data.result.inputs.npsAnswers, 13);

  const done = await waitFor("the delivery recorded as succeeded", async () => {
    const d = (await deliveries(A.key, s.endpointA.id)).find((x) => x.webhookId === webhookId);
    return d?.status === "succeeded" && d;
  });
  assert.equal(done.eventType, "kpi.alert.resolved");
  assert.equal(done.nextAttemptAt, null);
  const codes = done.attemptLog.map((a) => a.responseStatus);
  assert.equal(codes.filter((c) => c === 500).length, failed.length, `attempt log ${JSON.stringify(codes)} vs ${failed.length} failed requests`);
  assert.equal(codes.filter((c) => c >= 200 && c < 300).length, 1, `attempt log ${JSON.stringify(codes)}: not exactly one success`);
  assert.equal(done.attemptLog.length, failed.length + 1, `attempt log ${JSON.stringify(done.attemptLog)}`);
  const success = done.attemptLog.find((a) => a.responseStatus < 300);
  assert.ok(Date.parse(success.startedAt) > killedAt, "the successful attempt was made before the kill, not by the restarted server");
  assert.equal(done.attempts, pending.attempts + 1, "the restarted server made more than one scheduled attempt");
  // Exactly once as a success; one delivery per event; the rule settled at ok.
  assert.equal(rA.ofType("kpi.alert.resolved").filter((q) => q.answered < 300).length, 1, "kpi.alert.resolved succeeded twice");
  const all = await deliveries(A.key, s.endpointA.id);
  assert.deepEqual(all.map((d) => d.eventType).sort(), ["kpi.alert.resolved", "kpi.alert.triggered"]);
  assert.equal((await wcall("GET", `/v1/alerts/${s.ruleA.id}`, { key: A.key })).json.state, "ok");
});

test("at the end: A got each event once, B's receiver only B's own test events, signed with B's unrotated secret", { skip }, async () => {
  // One more test event of B's, sent last: once it is in, every earlier delivery had its turn.
  assert.equal((await wcall("POST", `/v1/webhook-endpoints/${s.endpointB.id}/test`, { key: s.B.key })).status, 202);
  await waitFor("B's second webhook.test", () => s.receiverB.ofType("webhook.test").length === 2);
  for (const q of s.receiverB.requests) {
    const event = verified(s.endpointB.secret, q);
    assert.equal(event.type, "webhook.test", `B's receiver got ${event.type}`);
  }
  assert.equal(s.receiverB.requests.length, 2, "B's receiver got something else");
  const successes = s.receiverA.requests.filter((q) => q.answered < 300).map((q) => JSON.parse(q.body).type).sort();
  assert.deepEqual(successes, ["kpi.alert.resolved", "kpi.alert.triggered"], "A's receiver: each event exactly once as a success");
});
