// Proves the house rules of .spectral.yaml: the committed openapi/v1.json lints with no error, and a
// copy of it broken once per rule fails with that rule's error at the broken operation.
//
//   node --test scripts/spectral-rules.test.mjs      (needs `npm ci` at the repo root)
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { after, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const spectral = join(root, "node_modules/.bin/spectral");
const ruleset = join(root, ".spectral.yaml");
const committed = join(root, "openapi/v1.json");

function lint(file) {
  const run = spawnSync(spectral, ["lint", file, "--ruleset", ruleset, "--format", "json", "--fail-severity=error", "--quiet"], {
    cwd: root,
    encoding: "utf8",
  });
  const start = run.stdout.indexOf("[");
  let results;
  try {
    results = JSON.parse(run.stdout.slice(start));
  } catch {
    assert.fail(`spectral gave no JSON (exit ${run.status}): ${run.stdout}\n${run.stderr}`);
  }
  // severity 0 is error in spectral's JSON output
  const errors = results.filter((r) => r.severity === 0).map((r) => ({ code: r.code, path: r.path.join("."), message: r.message }));
  return { status: run.status, errors };
}

describe("spectral house rules", () => {
  let work;
  let broken;
  before(() => {
    assert.ok(existsSync(spectral), `${spectral} is missing: run \`npm ci\` at the repo root`);
    // Inside the repository, so that the path-based overrides of .spectral.yaml apply to the copy too.
    work = mkdtempSync(join(root, "node_modules", ".spectral-rules-"));
    const doc = JSON.parse(readFileSync(committed, "utf8"));
    const p = doc.paths;
    delete p["/v1/clients/{id}"].get.operationId;
    delete p["/v1/contracts"].get.summary;
    delete p["/v1/costs/{id}"].get.description;
    p["/v1/leads/{id}"].get.responses["404"] = { description: "Not Found", content: { "application/json": { schema: { type: "object" } } } };
    p["/v1/leads/{id}"].put.responses["409"] = { description: "Conflict" };
    delete p["/v1/surveys"].get.responses["401"];
    delete p["/v1/costs"].post.responses["201"];
    delete p["/v1/leads"].post.responses["400"];
    // Not a creating POST (no Create… operationId): needs neither 201 nor 400.
    delete p["/v1/clients/batch"].post.responses["400"];
    broken = join(work, "broken.json");
    writeFileSync(broken, JSON.stringify(doc, null, 2));
  });
  after(() => rmSync(work, { recursive: true, force: true }));

  test("the committed openapi/v1.json has no error", () => {
    const { status, errors } = lint(committed);
    assert.deepEqual(errors, []);
    assert.equal(status, 0);
  });

  test("a broken copy fails with exactly the expected house-rule errors", () => {
    const { status, errors } = lint(broken);
    assert.notEqual(status, 0, "spectral must exit non-zero");
    const got = errors.map((e) => `${e.code} @ ${e.path}`).sort();
    assert.deepEqual(got, [
      "kpi-4xx-problem-json @ paths./v1/leads/{id}.get.responses.404.content",
      "kpi-4xx-problem-json @ paths./v1/leads/{id}.put.responses.409",
      "kpi-create-documents-201-and-400 @ paths./v1/costs.post.responses",
      "kpi-create-documents-201-and-400 @ paths./v1/leads.post.responses",
      "kpi-operation-description @ paths./v1/costs/{id}.get",
      "kpi-operation-id @ paths./v1/clients/{id}.get",
      "kpi-operation-summary @ paths./v1/contracts.get",
      "kpi-v1-documents-401 @ paths./v1/surveys.get.responses",
    ].sort());
  });
});
