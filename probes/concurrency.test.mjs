// Probe 4: concurrent writers. Distinct records all succeed; a contested externalId has exactly one
// winner and the others get 409, never a 400 or a 5xx.
import { test } from "node:test";
import assert from "node:assert/strict";
import { call, newTenant, validBody, countRecords, assertProblem, randomUUID } from "./lib.mjs";

for (const resource of ["clients", "leads", "costs"]) {
  test(`${resource}: 20 concurrent creates with distinct externalIds all succeed`, async () => {
    const t = await newTenant("conc-distinct");
    const rs = await Promise.all(Array.from({ length: 20 }, () => call("POST", `/v1/${resource}`, { key: t.key, body: validBody(resource) })));
    assert.deepEqual(rs.map((r) => r.status), Array(20).fill(201), rs.map((r) => r.text.slice(0, 120)).join("\n"));
    assert.equal(new Set(rs.map((r) => r.json.id)).size, 20);
    assert.equal(await countRecords(t.key, resource), 20);
  });

  test(`${resource}: 20 concurrent creates with the same externalId: one 201, the others 409`, async () => {
    const t = await newTenant("conc-same");
    const body = validBody(resource);
    const rs = await Promise.all(Array.from({ length: 20 }, () => call("POST", `/v1/${resource}`, { key: t.key, body })));
    const statuses = rs.map((r) => r.status);
    assert.equal(statuses.filter((s) => s === 201).length, 1, `statuses: ${statuses}`);
    for (const r of rs.filter((x) => x.status !== 201)) assertProblem(r, "losing create", [409]);
    assert.equal(await countRecords(t.key, resource), 1);
  });
}

test("concurrent batches upserting the same externalIds: each succeeds or gets a retryable 409; the result is whole", async () => {
  const t = await newTenant("conc-batch");
  const ext = Array.from({ length: 50 }, () => `l-${randomUUID()}`);
  const batch = (n) => ({ items: ext.map((e) => ({ externalId: e, createdOn: "2025-01-05", source: `run-${n}` })) });
  const rs = await Promise.all(Array.from({ length: 10 }, (_, n) => call("POST", "/v1/leads/batch", { key: t.key, body: batch(n) })));
  for (const r of rs) {
    assert.ok(r.status === 200 || r.status === 409, `batch answered ${r.status}: ${r.text.slice(0, 300)}`);
    if (r.status === 409) {
      assertProblem(r, "batch conflict", [409]);
      assert.match(r.headers.get("retry-after") ?? "", /^\d+$/, "409 without Retry-After");
    }
  }
  assert.ok(rs.some((r) => r.status === 200), "no batch succeeded");
  // Upserts by externalId: however they interleaved, each externalId is stored once.
  assert.equal(await countRecords(t.key, "leads"), 50);
});

test("concurrent CSV imports of the same externalIds: each succeeds or gets a retryable 409; no duplicates", async () => {
  const t = await newTenant("conc-import");
  const ext = Array.from({ length: 200 }, () => `m-${randomUUID()}`);
  const csv = (n) => "externalId,createdOn,source\n" + ext.map((e) => `${e},2025-01-05,imp-${n}`).join("\n") + "\n";
  const rs = await Promise.all(Array.from({ length: 6 }, (_, n) => call("POST", "/v1/leads/import", { key: t.key, body: csv(n), type: "text/csv" })));
  for (const r of rs) {
    assert.ok(r.status === 200 || r.status === 201 || r.status === 409, `import answered ${r.status}: ${r.text.slice(0, 300)}`);
    if (r.status === 409) assertProblem(r, "import conflict", [409]);
  }
  assert.equal(await countRecords(t.key, "leads"), 200);
});
