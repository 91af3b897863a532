// Faults under load on a cluster started by scripts/cluster.sh (see probes/cluster/run.sh).
//
//   node probes/cluster/faults.mjs DIR      (DIR holds cluster.json)
//
// 1. Stale reads: 1,000 write→read pairs, each write sent to one instance and its reads to another one
//    (instances addressed directly): the KPI and the list read right after a write must show it.
// 2. One steady mixed load through HAProxy (paced writes with an Idempotency-Key, retried on connection errors,
//    502/503/504 and 409 "in progress"; KPI and list reads) for at least 60 s, during which, one after another:
//    kill -9 one API instance (then restart it), stop Redis for 20 s, stop the replica, restart the primary.
// Prints a table per fault and TAP-like lines ending with `# pass N` / `# fail N`.
import { readFileSync } from "node:fs";
import { execFile, execFileSync } from "node:child_process";
import { connect } from "node:net";
import { randomUUID } from "node:crypto";
import { fileURLToPath } from "node:url";
import path from "node:path";

const dir = process.argv[2];
if (!dir) { console.error("usage: node faults.mjs CLUSTER_DIR"); process.exit(2); }
const clusterSh = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../scripts/cluster.sh");
const cluster = () => JSON.parse(readFileSync(path.join(dir, "cluster.json"), "utf8"));
const initial = cluster();
const base = initial.url;
const env = (k, d) => Number(process.env[k] ?? d);
const PAIRS = env("CLUSTER_PROBE_PAIRS", 1000);
const LOAD_TENANTS = env("CLUSTER_PROBE_TENANTS", 4);
const WRITES_PER_SEC = env("CLUSTER_PROBE_WRITES_PER_SEC", 3); // per tenant; reads are 4/s per tenant (under 600/min)
const REDIS_DOWN_SECS = env("CLUSTER_PROBE_REDIS_SECS", 20);
const MIN_LOAD_SECS = env("CLUSTER_PROBE_MIN_SECS", 60);
const sleep = ms => new Promise(r => setTimeout(r, ms));
const t0 = Date.now();
const now = () => (Date.now() - t0) / 1000;
const log = msg => console.log(`# [${now().toFixed(1)}s] ${msg}`);

let passCount = 0, failCount = 0, tapN = 0;
function check(ok, name, detail = "") {
  tapN++;
  if (ok) passCount++; else failCount++;
  console.log(`${ok ? "ok" : "not ok"} ${tapN} - ${name}${detail ? ` # ${detail}` : ""}`);
}

// ---- HTTP --------------------------------------------------------------------------------------------------
async function call(url, { method = "GET", key, body, headers = {}, timeout = 20000 } = {}) {
  const h = { accept: "application/json", ...headers };
  if (key) h["x-api-key"] = key;
  if (body !== undefined) h["content-type"] = "application/json";
  try {
    const res = await fetch(url, { method, headers: h, body: body === undefined ? undefined : JSON.stringify(body), signal: AbortSignal.timeout(timeout) });
    const text = await res.text();
    let json = null;
    try { json = text ? JSON.parse(text) : null; } catch { /* not JSON */ }
    return { status: res.status, json, retryAfter: res.headers.get("retry-after"), replayed: res.headers.get("idempotent-replayed") === "true" };
  } catch (e) {
    return { status: "neterr", error: e.cause?.code ?? e.name };
  }
}

async function createTenant(name) {
  const r = await call(`${base}/v1/tenants`, { method: "POST", key: initial.adminKey, body: { name: `${name} ${randomUUID()}`, industry: "manufacturing", currency: "USD" } });
  if (r.status !== 201) throw new Error(`creating a tenant: ${r.status} ${JSON.stringify(r.json)}`);
  return { id: r.json.id, key: r.json.apiKey };
}

// ---- PostgreSQL and HAProxy, from outside the API --------------------------------------------------------
function psql(conn, sql) {
  const kv = Object.fromEntries(conn.split(";").filter(Boolean).map(p => { const i = p.indexOf("="); return [p.slice(0, i).trim().toLowerCase(), p.slice(i + 1)]; }));
  return execFileSync("psql", ["-h", kv.host, "-p", kv.port, "-U", kv.username, "-d", kv.database, "-tAq", "-F", "\t", "-c", sql],
    { env: { ...process.env, PGPASSWORD: kv.password }, encoding: "utf8" }).trim();
}

function haproxyStates() {
  return new Promise(resolve => {
    const s = connect(initial.haproxyStats);
    let out = "";
    s.on("connect", () => s.write("show stat\n"));
    s.on("data", d => { out += d; });
    s.on("end", () => {
      const states = {};
      for (const line of out.split("\n")) {
        const f = line.split(",");
        if (f[0] === "instances" && f[1]?.startsWith("api-")) states[f[1]] = f[17];
      }
      resolve(states);
    });
    s.on("error", () => resolve({}));
  });
}

function clusterCmd(...args) {
  return new Promise((resolve, reject) => execFile("bash", [clusterSh, ...args, "--dir", dir], { encoding: "utf8" },
    (err, stdout, stderr) => err ? reject(new Error(`cluster.sh ${args.join(" ")}: ${stderr || err.message}`)) : resolve(stdout)));
}

// ---- 1. stale reads --------------------------------------------------------------------------------------
async function stalePairs() {
  const instances = initial.instances.map(i => i.url);
  const tenants = await Promise.all(Array.from({ length: 8 }, (_, i) => createTenant(`stale-${i}`)));
  const replicaBefore = replicaReads();
  let stale = 0, errors = 0, pairs = 0;
  const examples = [];
  const per = Math.ceil(PAIRS / tenants.length);
  await Promise.all(tenants.map(async (tenant, ti) => {
    for (let i = 0; i < per && ti * per + i < PAIRS; i++) {
      const n = ti * per + i;
      const writer = instances[n % instances.length], reader = instances[(n + 1) % instances.length];
      const day = new Date(Date.UTC(2024, 0, 1) + i * 86400000).toISOString().slice(0, 10);
      const w = await call(`${writer}/v1/clients`, { method: "POST", key: tenant.key, body: { name: `pair ${n}`, acquiredOn: day } });
      if (w.status !== 201) { errors++; examples.push(`write ${n}: ${w.status}`); continue; }
      pairs++;
      const kpi = await call(`${reader}/v1/kpis/new-clients?from=2024-01-01&to=2025-12-31`, { key: tenant.key });
      const list = await call(`${reader}/v1/clients?from=${day}&to=${day}`, { key: tenant.key });
      if (kpi.status !== 200 || list.status !== 200) { errors++; examples.push(`read ${n}: ${kpi.status}/${list.status}`); continue; }
      const kpiFresh = kpi.json.value === i + 1;
      const listFresh = list.json.items.length === 1 && list.json.items[0].id === w.json.id;
      if (!kpiFresh || !listFresh) { stale++; if (examples.length < 5) examples.push(`pair ${n}: kpi ${kpi.json.value} (want ${i + 1}), list ${list.json.items.length} item(s)`); }
    }
  }));
  const replicaDelta = replicaReads() - replicaBefore;
  console.log(`# stale reads: ${pairs} write→read pairs (write on one instance, KPI + list read on the next), ${stale} stale, ${errors} errors; ` +
    `the replica ran ${replicaDelta} more statements on the kpi database meanwhile${examples.length ? `; ${examples.join("; ")}` : ""}`);
  check(pairs === PAIRS && errors === 0, `stale reads: all ${PAIRS} write→read pairs answered`, `${pairs} pairs, ${errors} errors`);
  check(stale === 0, "stale reads: 0 stale reads (KPI and list) across instances", `${stale} stale`);
  check(replicaDelta >= PAIRS, "stale reads: the replica served reads meanwhile (pg_stat_database on the replica)", `${replicaDelta} statements`);
}

function replicaReads() {
  try { return Number(psql(cluster().postgres.replica, "SELECT xact_commit + xact_rollback FROM pg_stat_database WHERE datname = 'kpi'")); }
  catch { return NaN; }
}

// ---- 2. faults under load --------------------------------------------------------------------------------
const attempts = []; // { t, kind: "write"|"read", status, retryAfter, phase }
const writes = [];   // { tenant, amount, ok, id, firstPhase, retries, finalStatus }
let phase = "baseline";
let stopLoad = false;

function isRetryable(r) { return r.status === "neterr" || r.status === 502 || r.status === 503 || r.status === 504 || r.status === 409; }

async function writer(tenant, rate, seqStart) {
  let seq = seqStart;
  const interval = 1000 / rate;
  while (!stopLoad) {
    const started = Date.now();
    const amount = seq++; // unique per write: how the database check finds it
    const key = randomUUID();
    const w = { tenant: tenant.id, amountMinor: amount * 100, ok: false, firstPhase: phase, retries: 0, finalStatus: null };
    writes.push(w);
    const deadline = Date.now() + 90000;
    for (;;) {
      const r = await call(`${base}/v1/costs`, { method: "POST", key: tenant.key, headers: { "idempotency-key": key },
        body: { category: "marketing", amount, currency: "USD", incurredOn: "2025-06-01" } });
      // 409 "already changed the records": the key's write is stored but its answer was lost (the database went away
      // just after the commit). The write is done, and the database check below proves it is there once.
      const answerLost = r.status === 409 && /^A request with this Idempotency-Key already (changed the records|succeeded)/.test(r.json?.detail ?? "");
      attempts.push({ t: now(), kind: "write", status: r.status, retryAfter: r.retryAfter, phase, answerLost });
      w.finalStatus = r.status;
      if (r.status === 201 || r.status === 200) { w.ok = true; w.id = r.json?.id; break; }
      if (answerLost) { w.ok = true; w.answerLost = true; break; }
      if (!isRetryable(r) || Date.now() > deadline) break;
      w.retries++;
      await sleep(r.status === 503 ? 1000 : 250);
    }
    await sleep(Math.max(0, interval - (Date.now() - started)));
  }
}

async function reader(tenant, rate) {
  const interval = 1000 / rate;
  let i = 0;
  while (!stopLoad) {
    const started = Date.now();
    const url = i++ % 2 === 0 ? `${base}/v1/kpis/customer-acquisition-cost?from=2025-01-01&to=2025-12-31` : `${base}/v1/costs?limit=20`;
    const deadline = Date.now() + 90000;
    for (;;) {
      const r = await call(url, { key: tenant.key });
      attempts.push({ t: now(), kind: "read", status: r.status, retryAfter: r.retryAfter, phase });
      if (r.status === 200 || !isRetryable(r) || Date.now() > deadline) break;
      await sleep(r.status === 503 ? 1000 : 250);
    }
    await sleep(Math.max(0, interval - (Date.now() - started)));
  }
}

async function waitFor(pred, secs, stepMs = 200) {
  const deadline = Date.now() + secs * 1000;
  for (;;) {
    const v = await pred();
    if (v) return v;
    if (Date.now() > deadline) return null;
    await sleep(stepMs);
  }
}

/** The per-tenant limit holds across the cluster: a burst of 1.15 × the limit through HAProxy meets 429s. */
async function limitBurst(label) {
  const limit = 600; // RateLimiting:PermitsPerMinute (the default; cluster.sh does not change it)
  const tenant = await createTenant(`limits-${label}`);
  const total = Math.round(limit * 1.15);
  const counts = {};
  let next = 0;
  await Promise.all(Array.from({ length: 16 }, async () => {
    while (next < total) {
      next++;
      const r = await call(`${base}/v1/kpis`, { key: tenant.key });
      counts[r.status] = (counts[r.status] ?? 0) + 1;
    }
  }));
  return { limit, total, counts };
}

const faultWindows = {}; // phase -> [from, to]
function enter(name) { phase = name; faultWindows[name] = [now(), null]; log(`phase ${name}`); }
function leave(name) { faultWindows[name][1] = now(); }

async function faults() {
  const tenants = await Promise.all(Array.from({ length: LOAD_TENANTS }, (_, i) => createTenant(`load-${i}`)));
  const loops = [];
  tenants.forEach((t, i) => { loops.push(writer(t, WRITES_PER_SEC, 1 + i * 1_000_000)); loops.push(reader(t, 4)); });
  const loadStart = now();
  enter("baseline");
  await sleep(5000);

  // kill -9 one API instance; HAProxy must mark it DOWN within its check interval (inter 1s × fall 2, +1 s slack).
  enter("kill-instance");
  const victim = cluster().instances[1];
  process.kill(victim.pid, "SIGKILL");
  const killedAt = Date.now();
  const down = await waitFor(async () => (await haproxyStates())["api-2"]?.startsWith("DOWN"), 15, 100);
  const downSecs = (Date.now() - killedAt) / 1000;
  check(down && downSecs <= 3.5, "kill -9: HAProxy stops routing to the killed instance within its health checks (inter 1 s, fall 2)", `DOWN after ${downSecs.toFixed(1)} s`);
  await sleep(4000);
  // The restart (a .NET start on a loaded machine: tens of seconds) runs while the next faults go on; its rejoin is checked at the end.
  log("restarting instance 2 (in the background)");
  const restart = clusterCmd("start", "instance", "2")
    .then(() => waitFor(async () => (await haproxyStates())["api-2"] === "UP", 15, 200))
    .then(up => { log(`instance 2 ${up ? "rejoined (UP in HAProxy)" : "restarted but not UP in HAProxy"}`); return !!up; },
      e => { log(e.message); return false; });
  leave("kill-instance");

  enter("redis-down");
  await clusterCmd("stop", "redis");
  log("redis stopped");
  await sleep(REDIS_DOWN_SECS * 1000);
  await clusterCmd("start", "redis");
  log("redis started");
  await sleep(3000);
  leave("redis-down");

  enter("replica-down");
  await clusterCmd("stop", "replica");
  log("replica stopped");
  await sleep(10000);
  await clusterCmd("start", "replica");
  log("replica started");
  await sleep(2000);
  leave("replica-down");

  enter("primary-restart");
  const before = cluster().postgres.primaryPid;
  await clusterCmd("restart", "primary");
  const after = cluster().postgres.primaryPid;
  log(`primary restarted (pid ${before} → ${after})`);
  await sleep(6000);
  leave("primary-restart");

  const rejoined = await restart;
  const newPid = cluster().instances[1].pid;
  check(rejoined && newPid !== victim.pid, "kill -9: the instance rejoins (UP in HAProxy) when restarted", `pid ${victim.pid} → ${newPid}, ${rejoined ? "UP" : "not UP"}`);

  enter("after");
  await sleep(Math.max(5000, (MIN_LOAD_SECS - (now() - loadStart)) * 1000));
  stopLoad = true;
  await Promise.all(loops);
  leave("after");
  const loadSecs = now() - loadStart;
  log(`load stopped after ${loadSecs.toFixed(0)} s`);

  // Limits after Redis came back (cluster-wide only with the Redis-backed limiter).
  const burst = await limitBurst("after-redis");
  const ok2xx = burst.counts[200] ?? 0, got429 = burst.counts[429] ?? 0;
  console.log(`# limits after Redis returned: ${burst.total} requests of one tenant through HAProxy (limit ${burst.limit}/min): ${JSON.stringify(burst.counts)}`);
  check(got429 > 0 && ok2xx <= burst.limit * 1.05, "redis: the per-tenant limit holds across the cluster again after Redis returned",
    `${ok2xx} × 200, ${got429} × 429 (per-instance limits would let ${burst.total} through)`);

  // What the database holds.
  const rows = psql(cluster().postgres.primary,
    `SELECT "TenantId", "AmountMinor", count(*) FROM "Costs" WHERE "TenantId" IN (${tenants.map(t => `'${t.id}'`).join(",")}) GROUP BY 1, 2`);
  const inDb = new Map();
  for (const line of rows.split("\n").filter(Boolean)) { const [t, a, c] = line.split("\t"); inDb.set(`${t}/${a}`, Number(c)); }
  for (const w of writes) { w.count = inDb.get(`${w.tenant}/${w.amountMinor}`) ?? 0; }

  const table = [];
  for (const name of ["baseline", "kill-instance", "redis-down", "replica-down", "primary-restart", "after"]) {
    const a = attempts.filter(x => x.phase === name);
    const ws = writes.filter(w => w.firstPhase === name);
    const by = {};
    for (const x of a) by[x.status] = (by[x.status] ?? 0) + 1;
    const c4 = Object.entries(by).filter(([s]) => s >= 400 && s < 500).map(([s, n]) => `${s}:${n}`).join(" ") || "0";
    const c5 = Object.entries(by).filter(([s]) => s >= 500).map(([s, n]) => `${s}:${n}`).join(" ") || "0";
    table.push({
      fault: name, requests: a.length, "2xx": a.filter(x => x.status >= 200 && x.status < 300).length, "4xx": c4, "5xx": c5,
      "conn err": by.neterr ?? 0, writes: ws.length, "2xx writes": ws.filter(w => w.ok).length, retried: ws.filter(w => w.retries > 0).length,
      lost: ws.filter(w => w.ok && w.count === 0).length, duplicated: ws.filter(w => w.count > 1).length,
      "answer lost": ws.filter(w => w.answerLost).length,
      "failed (gave up)": ws.filter(w => !w.ok).length,
    });
  }
  printTable(table);
  const row = name => table.find(r => r.fault === name);
  const fivexx = (name, allowed = []) => attempts.filter(x => x.phase === name && x.status >= 500 && !allowed.includes(x.status));
  const lost = writes.filter(w => w.ok && w.count === 0).length, dup = writes.filter(w => w.count > 1).length;
  check(loadSecs >= 60, "load: a steady mixed load ran for at least 60 s", `${loadSecs.toFixed(0)} s, ${attempts.length} requests, ${writes.length} writes`);
  check(lost === 0, "every write answered 2xx is in the database", `${lost} lost of ${writes.filter(w => w.ok).length}`);
  check(dup === 0, "no write is in the database twice (retries carried the same Idempotency-Key)", `${dup} duplicated`);
  check(writes.every(w => w.ok), "every write succeeded in the end (retried on connection errors, 502/503/504, 409 in progress)",
    `${writes.filter(w => !w.ok).length} gave up; final statuses: ${JSON.stringify(countBy(writes.filter(w => !w.ok), w => w.finalStatus))}`);
  const killErrors = attempts.filter(x => x.phase === "kill-instance" && x.status !== 200 && x.status !== 201);
  check(killErrors.every(x => x.status === "neterr" || x.status === 502 || x.status === 503 || x.status === 504 || x.status === 409),
    "kill -9: clients saw only connection errors (or a proxy's 502/503/504 / 409 in progress), each retried", JSON.stringify(countBy(killErrors, x => x.status)));
  check(row("kill-instance").lost === 0 && row("kill-instance").duplicated === 0, "kill -9: 0 lost, 0 duplicated");
  check(fivexx("redis-down").length === 0 && (row("redis-down")["conn err"] === 0), "redis down 20 s: no 5xx, no connection error",
    JSON.stringify(countBy(fivexx("redis-down"), x => x.status)));
  const replicaReads2xx = attempts.filter(x => x.phase === "replica-down" && x.kind === "read" && x.status === 200).length;
  check(fivexx("replica-down").length === 0 && replicaReads2xx > 0, "replica stopped: reads continue (from the primary), no 5xx",
    `${replicaReads2xx} reads answered 200; 5xx: ${JSON.stringify(countBy(fivexx("replica-down"), x => x.status))}`);
  const p503 = attempts.filter(x => x.phase === "primary-restart" && x.status === 503);
  check(fivexx("primary-restart", [503]).length === 0 && p503.every(x => x.retryAfter),
    "primary restart: only 503 with Retry-After during the outage", `${p503.length} × 503 (all with Retry-After: ${p503.every(x => x.retryAfter)}); other 5xx: ${fivexx("primary-restart", [503]).length}`);
  // A retry told that its key's write is already stored (answer lost in the outage) is an answer, not a failure.
  const afterBad = attempts.filter(x => x.phase === "after" && !(x.status >= 200 && x.status < 300) && !x.answerLost);
  check(afterBad.length === 0 && row("after").requests > 0, "primary restart: full service after (every request 2xx)", JSON.stringify(countBy(afterBad, x => x.status)));
  check(["baseline", "after"].every(p => fivexx(p).length === 0), "no 5xx outside the faults", "");
}

function countBy(xs, f) { const o = {}; for (const x of xs) { const k = f(x); o[k] = (o[k] ?? 0) + 1; } return o; }

function printTable(rows) {
  const cols = Object.keys(rows[0]);
  const width = cols.map(c => Math.max(c.length, ...rows.map(r => String(r[c]).length)));
  const line = cells => "| " + cells.map((c, i) => String(c).padEnd(width[i])).join(" | ") + " |";
  console.log(line(cols));
  console.log("|" + width.map(w => "-".repeat(w + 2)).join("|") + "|");
  for (const r of rows) console.log(line(cols.map(c => r[c])));
}

try {
  log(`cluster ${base}: ${initial.instances.map(i => i.url).join(" ")}`);
  await stalePairs();
  await faults();
} catch (e) {
  check(false, "the probe ran to its end", e.stack?.split("\n").slice(0, 3).join(" | "));
  stopLoad = true;
}
console.log(`1..${tapN}`);
console.log(`# pass ${passCount}`);
console.log(`# fail ${failCount}`);
process.exit(failCount === 0 ? 0 : 1);
