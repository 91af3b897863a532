// Probe 3: kill -9 during a large CSV import and during a batch, restart on the same database, check
// integrity: all of the interrupted request or none of it, the earlier data intact, reads served.
// The server is the one probes/run.sh started (PROBE_SERVER_PID); it is restarted here on the same port,
// database and operator key, and its new pid written to $PROBE_WORK/restarted.pid for run.sh to stop.
import { test } from "node:test";
import assert from "node:assert/strict";
import http from "node:http";
import { spawn } from "node:child_process";
import { writeFileSync, openSync } from "node:fs";
import path from "node:path";
import { call, newTenant, validBody, countAll, countRecords, BASE, ADMIN, randomUUID } from "./lib.mjs";

const { PROBE_DLL, PROBE_PROVIDER, PROBE_CONNECTION, PROBE_WORK } = process.env;
let serverPid = Number(process.env.PROBE_SERVER_PID);
const skip = !(PROBE_DLL && PROBE_PROVIDER && PROBE_CONNECTION && PROBE_WORK && serverPid)
  ? "needs PROBE_DLL, PROBE_PROVIDER, PROBE_CONNECTION, PROBE_WORK and PROBE_SERVER_PID (probes/run.sh sets them)" : false;

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const alive = (pid) => { try { process.kill(pid, 0); return true; } catch { return false; } };

async function killAndRestart() {
  process.kill(serverPid, "SIGKILL");
  for (let i = 0; i < 100 && alive(serverPid); i++) await sleep(50);
  assert.ok(!alive(serverPid), "the server survived SIGKILL");
  const log = openSync(path.join(PROBE_WORK, "server-restarted.log"), "a");
  const child = spawn("dotnet", [PROBE_DLL, "--urls", BASE], {
    cwd: path.dirname(PROBE_DLL),
    env: { ...process.env, Database__Provider: PROBE_PROVIDER, ConnectionStrings__Kpi: PROBE_CONNECTION, Auth__AdminApiKey: ADMIN },
    stdio: ["ignore", log, log],
    detached: true,
  });
  child.unref();
  serverPid = child.pid;
  writeFileSync(path.join(PROBE_WORK, "restarted.pid"), String(serverPid));
  for (let i = 0; i < 240; i++) {
    try { if ((await fetch(`${BASE}/health/ready`)).ok) return; } catch { /* not listening yet */ }
    assert.ok(alive(serverPid), "the restarted server exited; see server-restarted.log");
    await sleep(250);
  }
  assert.fail("the restarted server did not become ready within 60 s");
}

/**
 * Streams `chunks` as one POST; awaits onProgress(i) after chunk i is written (true: stop writing).
 * Resolves with the answer's status (or "connection lost") once the writer is done too, so a kill and
 * restart inside onProgress has finished before the caller looks at the database.
 */
async function streamPost(urlPath, key, type, chunks, onProgress) {
  let writer;
  const answer = await streamPostRaw(urlPath, key, type, chunks, onProgress, (w) => { writer = w; });
  await writer;
  return answer;
}

function streamPostRaw(urlPath, key, type, chunks, onProgress, setWriter) {
  const u = new URL(BASE + urlPath);
  return new Promise((resolve) => {
    const req = http.request({ host: u.hostname, port: u.port, path: u.pathname, method: "POST",
      headers: { "X-Api-Key": key, "Content-Type": type, "Transfer-Encoding": "chunked" } });
    req.on("error", () => resolve("connection lost"));
    req.on("response", (res) => { res.resume(); resolve(res.statusCode); });
    setWriter((async () => {
      for (let i = 0; i < chunks.length; i++) {
        if (!req.write(chunks[i])) await new Promise((r) => req.once("drain", r));
        if (await onProgress(i)) return; // killed: stop writing
      }
      req.end();
    })().catch((e) => { resolve("connection lost"); throw e; }));
  });
}

async function seed() {
  const t = await newTenant("crash");
  const c = await call("POST", "/v1/clients", { key: t.key, body: validBody("clients") });
  assert.equal(c.status, 201, c.text);
  const batch = { items: Array.from({ length: 300 }, () => validBody("leads")) };
  assert.equal((await call("POST", "/v1/leads/batch", { key: t.key, body: batch })).status, 200);
  return { t, client: c.json, counts: await countAll(t.key) };
}

async function checkIntact(s) {
  const g = await call("GET", `/v1/clients/${s.client.id}`, { key: s.t.key });
  assert.equal(g.status, 200, `earlier client after restart: ${g.status}`);
  assert.deepEqual(g.json, s.client);
  assert.equal((await call("GET", "/v1/scorecard?from=2025-01-01&to=2025-12-31", { key: s.t.key })).status, 200);
}

test("kill -9 in the middle of a 100,000-row CSV import: all rows or none after restart", { skip }, async () => {
  const s = await seed();
  const rowsPerChunk = 2000, chunks = [];
  chunks.push("externalId,createdOn,source\n");
  for (let c = 0; c < 50; c++) {
    let text = "";
    for (let i = 0; i < rowsPerChunk; i++) text += `imp-${c}-${i}-${randomUUID().slice(0, 8)},2025-02-01,crash\n`;
    chunks.push(text);
  }
  // Kill after 60% of the file is sent: the server has been reading and writing chunks inside its transaction.
  const answer = await streamPost("/v1/leads/import", s.t.key, "text/csv", chunks, async (i) => {
    if (i === 30) { await sleep(300); await killAndRestart(); return true; }
    return false;
  });
  assert.equal(answer, "connection lost", "the import finished before the kill; the probe proves nothing");
  const leads = await countRecords(s.t.key, "leads");
  assert.ok(leads === s.counts.leads || leads === s.counts.leads + 100_000, `partial import: ${leads - s.counts.leads} rows of 100,000 stored`);
  assert.equal(leads, s.counts.leads, "the interrupted import (body never completed) was committed");
  await checkIntact(s);
});

test("kill -9 right after a 1,000-item batch is sent: all items or none after restart", { skip }, async () => {
  const s = await seed();
  const body = JSON.stringify({ items: Array.from({ length: 1000 }, () => validBody("leads")) });
  const answer = await streamPost("/v1/leads/batch", s.t.key, "application/json", [body], async () => {
    await sleep(20); await killAndRestart(); return false;
  });
  const leads = await countRecords(s.t.key, "leads");
  assert.ok(leads === s.counts.leads || leads === s.counts.leads + 1000,
    `partial batch: ${leads - s.counts.leads} items of 1,000 stored (answer before the kill: ${answer})`);
  if (answer === 200) assert.equal(leads, s.counts.leads + 1000, "a 200 batch lost its items");
  await checkIntact(s);
  // The API keeps writing after the restart.
  assert.equal((await call("POST", "/v1/leads", { key: s.t.key, body: validBody("leads") })).status, 201);
});

