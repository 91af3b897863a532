// The retry policy of the HAProxy in front of the API instances (scripts/cluster.sh writes it, deploy/haproxy.cfg holds
// the same lines): a request that could not reach an instance, or reached one that closed without answering (a killed
// instance), is sent to another one, except a POST without an Idempotency-Key once it has reached an instance: that
// instance may have stored it before dying, and without the key the API cannot tell a replay from a new request, so a
// replay could store the records twice. The caller gets HAProxy's 502 and decides.
//
// Runs Debian's haproxy with exactly those policy lines against fake instances on loopback that count what they receive
// and close without answering (or answer 201), so every count below is HAProxy's behaviour, not the API's.
//
//   node --test probes/cluster/haproxy-retries.test.mjs        (needs haproxy on PATH)
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import net from "node:net";
import http from "node:http";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const POLICY = /^(retries|option redispatch|retry-on|http-request disable-l7-retry)\b/;
const policyOf = (text) => text.split("\n").map((l) => l.trim()).filter((l) => POLICY.test(l));

/** A fake instance: answers /health/ready 200; any other request is recorded, then closed unanswered (or answered 201). */
function fakeInstance(name, { answer = false } = {}) {
  const received = [];
  const server = net.createServer((socket) => {
    let data = Buffer.alloc(0);
    socket.on("data", (chunk) => {
      data = Buffer.concat([data, chunk]);
      const end = data.indexOf("\r\n\r\n");
      if (end < 0) return;
      const head = data.subarray(0, end).toString("latin1");
      const length = Number(/^content-length:\s*(\d+)/im.exec(head)?.[1] ?? 0);
      if (data.length < end + 4 + length) return;
      const [method, path] = head.split(" ");
      if (path === "/health/ready") {
        socket.end("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok");
        return;
      }
      received.push({ instance: name, method, path, key: /^idempotency-key:\s*(.+)$/im.exec(head)?.[1] ?? null });
      if (answer) socket.end("HTTP/1.1 201 Created\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}");
      else socket.destroy(); // a killed instance: the request arrived, no answer ever comes
      data = Buffer.alloc(0);
    });
    socket.on("error", () => {});
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve({ name, server, received, port: server.address().port })));
}

const freePort = () => new Promise((resolve) => {
  const s = net.createServer().listen(0, "127.0.0.1", () => { const { port } = s.address(); s.close(() => resolve(port)); });
});

let dir, haproxy, silentA, silentB, answering, port, refusedPort;
before(async () => {
  dir = mkdtempSync(join(tmpdir(), "haproxy-retries-"));
  silentA = await fakeInstance("silent-a");
  silentB = await fakeInstance("silent-b");
  answering = await fakeInstance("answering", { answer: true });
  port = await freePort();
  refusedPort = await freePort(); // nothing listens there: a connection to it is refused
  const cluster = readFileSync(join(root, "scripts", "cluster.sh"), "utf8");
  const policy = policyOf(cluster);
  const defaults = policy.filter((l) => !l.startsWith("http-request"));
  const backend = policy.filter((l) => l.startsWith("http-request"));
  const cfg = [
    "global", "    maxconn 256",
    "defaults", "    mode http", "    timeout connect 2s", "    timeout client 10s", "    timeout server 10s",
    ...defaults.map((l) => `    ${l}`), "    option http-buffer-request",
    "frontend api", `    bind 127.0.0.1:${port}`,
    "    use_backend refused if { path_beg /refused/ }", "    default_backend instances",
    "backend instances", "    balance roundrobin", ...backend.map((l) => `    ${l}`),
    `    server silent-a 127.0.0.1:${silentA.port}`, `    server silent-b 127.0.0.1:${silentB.port}`,
    "backend refused", "    balance roundrobin", ...backend.map((l) => `    ${l}`),
    `    server down 127.0.0.1:${refusedPort}`, `    server answering 127.0.0.1:${answering.port}`,
  ].join("\n") + "\n";
  writeFileSync(join(dir, "haproxy.cfg"), cfg);
  haproxy = spawn("haproxy", ["-db", "-f", join(dir, "haproxy.cfg")], { stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  haproxy.stderr.on("data", (d) => { stderr += d; });
  for (let i = 0; ; i++) {
    const up = await new Promise((resolve) => {
      const s = net.connect(port, "127.0.0.1", () => { s.end(); resolve(true); });
      s.on("error", () => resolve(false));
    });
    if (up) break;
    if (i > 100 || haproxy.exitCode !== null) throw new Error(`haproxy did not start: ${stderr}`);
    await new Promise((r) => setTimeout(r, 100));
  }
});
after(() => {
  haproxy?.kill("SIGKILL");
  for (const f of [silentA, silentB, answering]) f?.server.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const reset = () => { for (const f of [silentA, silentB, answering]) f.received.length = 0; };
const count = (path) => [...silentA.received, ...silentB.received, ...answering.received].filter((r) => r.path === path).length;
/** One request on a connection of its own (as a caller's first request after an instance died). */
const send = (method, path, headers = {}) => new Promise((resolve, reject) => {
  const body = method === "GET" ? "" : "{}";
  const req = http.request({ host: "127.0.0.1", port, method, path, agent: false,
    headers: { "content-type": "application/json", "content-length": Buffer.byteLength(body), ...headers } }, (res) => {
    res.resume();
    res.on("end", () => resolve({ status: res.statusCode }));
  });
  req.on("error", reject);
  req.end(body);
});

test("the cluster's HAProxy and deploy/haproxy.cfg retry in the same way", () => {
  const cluster = policyOf(readFileSync(join(root, "scripts", "cluster.sh"), "utf8"));
  const deploy = policyOf(readFileSync(join(root, "deploy", "haproxy.cfg"), "utf8"));
  assert.ok(cluster.some((l) => l.startsWith("retry-on")) && cluster.some((l) => l.startsWith("http-request disable-l7-retry")), cluster.join("\n"));
  assert.deepEqual(deploy, cluster);
});

test("a GET that reached an instance that died is sent to another one", async () => {
  reset();
  const r = await send("GET", "/v1/clients");
  assert.equal(r.status, 502); // every (fake) instance dies on it
  assert.equal(count("/v1/clients"), 4, "the first attempt and 3 retries");
  assert.ok(silentA.received.length > 0 && silentB.received.length > 0, "on both instances");
});

test("a POST with an Idempotency-Key is sent again (the API answers a replay from the key, storing nothing twice)", async () => {
  reset();
  const r = await send("POST", "/v1/costs", { "idempotency-key": "k-1" });
  assert.equal(r.status, 502);
  assert.equal(count("/v1/costs"), 4);
  assert.ok([...silentA.received, ...silentB.received].every((x) => x.key === "k-1"));
});

test("a POST without an Idempotency-Key that reached an instance is never sent again", async () => {
  reset();
  const r = await send("POST", "/v1/costs");
  assert.equal(r.status, 502, "the caller is told; HAProxy does not replay what may have been stored");
  assert.equal(count("/v1/costs"), 1);
});

test("a POST without an Idempotency-Key that could not reach an instance (connection refused) goes to another one", async () => {
  reset();
  for (let i = 0; i < 4; i++) {
    const r = await send("POST", `/refused/${i}`);
    assert.equal(r.status, 201, `request ${i}`);
  }
  assert.equal(answering.received.length, 4, "each one stored once, by the instance that answered");
});
