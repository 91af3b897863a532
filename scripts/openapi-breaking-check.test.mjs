// Tests of the breaking-change check: the rules on deliberately broken copies of the committed
// openapi/v1.json, the allow-list, the CLI's exit codes and messages, and the git wrapper (base
// revision, file missing at the base, first commit, shallow clone) in throw-away repositories.
//
//   node --test scripts/openapi-breaking-check.test.mjs        (node >= 20 and git; no npm packages)
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { after, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { applyAllowlist, compareDocuments, parseAllowlist } from "./openapi-breaking-check.mjs";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const committedText = readFileSync(join(root, "openapi/v1.json"), "utf8");
const committed = () => JSON.parse(committedText);
const lines = (result) => result.breaking.map((b) => b.line);
const rules = (result) => [...new Set(result.breaking.map((b) => b.rule))].sort();

/** A copy of the committed document changed by `mutate`, compared with the original. */
function breakWith(mutate) {
  const doc = committed();
  mutate(doc, doc.components.schemas);
  return compareDocuments(committed(), doc);
}

const work = mkdtempSync(join(tmpdir(), "openapi-breaking-test-"));
after(() => rmSync(work, { recursive: true, force: true }));

describe("rules on broken copies of openapi/v1.json", () => {
  test("the committed document against itself: nothing", () => {
    const result = compareDocuments(committed(), committed());
    assert.deepEqual(result.breaking, []);
    assert.deepEqual(result.notes, []);
  });

  test("a property removed from ClientResponse breaks every operation that returns a client", () => {
    const result = breakWith((_, s) => delete s.ClientResponse.properties.segment);
    assert.deepEqual(rules(result), ["response-property-removed"]);
    assert.deepEqual(lines(result).sort(), [
      "response-property-removed: GET /v1/clients response 200 application/json $.items[].segment (was in ClientResponse)",
      "response-property-removed: GET /v1/clients/{id} response 200 application/json $.segment (was in ClientResponse)",
      "response-property-removed: POST /v1/clients response 201 application/json $.segment (was in ClientResponse)",
      "response-property-removed: POST /v1/clients/batch response 200 application/json $.items[].segment (was in ClientResponse)",
      "response-property-removed: PUT /v1/clients/{id} response 200 application/json $.segment (was in ClientResponse)",
    ]);
  });

  test("a renamed response property is a removal", () => {
    const result = breakWith((_, s) => {
      s.ClientResponse.properties.sector = s.ClientResponse.properties.industry;
      delete s.ClientResponse.properties.industry;
    });
    assert.ok(lines(result).includes(
      "response-property-removed: GET /v1/clients/{id} response 200 application/json $.industry (was in ClientResponse)"));
  });

  test("a new required field in ClientRequest breaks create, replace and batch", () => {
    const result = breakWith((_, s) => {
      s.ClientRequest.properties.vatId = { type: "string" };
      s.ClientRequest.required.push("vatId");
    });
    assert.deepEqual(lines(result).sort(), [
      "new-required-request-property: POST /v1/clients request body application/json $.vatId",
      "new-required-request-property: POST /v1/clients/batch request body application/json $.items[].vatId",
      "new-required-request-property: PUT /v1/clients/{id} request body application/json $.vatId",
    ]);
  });

  test("an optional request property that becomes required", () => {
    const result = breakWith((_, s) => s.ClientRequest.required.push("industry"));
    assert.ok(lines(result).includes("request-property-became-required: POST /v1/clients request body application/json $.industry"));
  });

  test("an enum value removed: request side and response side", () => {
    const result = breakWith((_, s) => {
      s.CostCategory.enum = s.CostCategory.enum.filter((v) => v !== "overhead");
    });
    assert.deepEqual(rules(result), ["enum-value-removed"]);
    const all = lines(result);
    assert.ok(all.includes('enum-value-removed: POST /v1/costs request body application/json $.category ("overhead" removed from request enum CostCategory)'));
    assert.ok(all.includes('enum-value-removed: GET /v1/costs/{id} response 200 application/json $.category ("overhead" removed from response enum CostCategory)'));
  });

  test("a KPI id removed from the shared KpiId enum of the path parameters", () => {
    const result = breakWith((_, s) => {
      s.KpiId.enum = s.KpiId.enum.filter((v) => v !== "win-rate");
    });
    assert.deepEqual(lines(result).sort(), [
      'enum-value-removed: GET /v1/kpis/{id} parameter path id ("win-rate" removed from request enum KpiId)',
      'enum-value-removed: GET /v1/kpis/{id}/series parameter path id ("win-rate" removed from request enum KpiId)',
    ]);
  });

  test("an operation removed, and a whole path removed", () => {
    const one = breakWith((doc) => delete doc.paths["/v1/leads/{id}"].delete);
    assert.deepEqual(lines(one), ["operation-removed: DELETE /v1/leads/{id} (operationId DeleteLead)"]);
    const path = breakWith((doc) => delete doc.paths["/v1/benchmarks"]);
    assert.deepEqual(lines(path), ["operation-removed: GET /v1/benchmarks (operationId ListBenchmarks)"]);
  });

  test("a response property that becomes nullable, or optional", () => {
    const nullable = breakWith((_, s) => (s.ContractResponse.properties.currency.nullable = true));
    assert.ok(lines(nullable).includes("response-became-nullable: GET /v1/contracts/{id} response 200 application/json $.currency"));
    const optional = breakWith((_, s) => (s.ContractResponse.required = s.ContractResponse.required.filter((r) => r !== "value")));
    assert.ok(lines(optional).includes("response-property-became-optional: GET /v1/contracts/{id} response 200 application/json $.value"));
    // the OAS 3.1 spelling counts the same
    const typeNull = breakWith((_, s) => (s.PeriodResponse.properties.to.type = ["string", "null"]));
    assert.ok(lines(typeNull).includes("response-became-nullable: GET /v1/kpis/{id} response 200 application/json $.period.to"));
  });

  test("a changed operationId", () => {
    const result = breakWith((doc) => (doc.paths["/v1/clients"].post.operationId = "AddClient"));
    assert.deepEqual(lines(result), ["operation-id-changed: POST /v1/clients (CreateClient -> AddClient)"]);
  });

  test("a removed response status", () => {
    const result = breakWith((doc) => delete doc.paths["/v1/clients/{id}"].get.responses["404"]);
    assert.deepEqual(lines(result), ["response-status-removed: GET /v1/clients/{id} response 404"]);
  });

  test("parameters: a new required one, one made required, a type change, a removed one", () => {
    const added = breakWith((doc) => doc.paths["/v1/clients"].get.parameters.push(
      { name: "region", in: "query", required: true, schema: { type: "string" } }));
    assert.deepEqual(lines(added), ["new-required-parameter: GET /v1/clients parameter query region"]);
    const required = breakWith((doc) => (doc.paths["/v1/clients"].get.parameters.find((p) => p.name === "limit").required = true));
    assert.deepEqual(lines(required), ["parameter-became-required: GET /v1/clients parameter query limit"]);
    const retyped = breakWith((doc) => (doc.paths["/v1/clients"].get.parameters.find((p) => p.name === "limit").schema = { type: "string" }));
    assert.deepEqual(lines(retyped), ["type-changed: GET /v1/clients parameter query limit (integer -> string)"]);
    const removed = breakWith((doc) => {
      const op = doc.paths["/v1/clients"].get;
      op.parameters = op.parameters.filter((p) => p.name !== "cursor");
    });
    assert.deepEqual(lines(removed), ["parameter-removed: GET /v1/clients parameter query cursor"]);
  });

  test("a request property type change, and a request property removed while unknown fields are refused", () => {
    const retyped = breakWith((_, s) => (s.ContractRequest.properties.value = { type: "string" }));
    assert.ok(lines(retyped).includes("type-changed: POST /v1/contracts request body application/json $.value (number -> string)"));
    assert.ok(!lines(retyped).some((l) => l.startsWith("format-changed:")), "a format dropped on the request side is a loosening");
    const removed = breakWith((_, s) => delete s.LeadRequest.properties.source);
    assert.ok(lines(removed).includes("request-property-removed: POST /v1/leads request body application/json $.source (unknown properties are refused)"));
  });

  test("not breaking: additions, loosenings, a renamed path parameter", () => {
    const result = breakWith((doc, s) => {
      s.ClientRequest.properties.notes = { type: "string", nullable: true };             // optional request property
      s.ClientResponse.properties.notes = { type: "string", nullable: true };            // new response property
      s.CostCategory.enum.push("travel");                                                 // new enum value
      s.ContractRequest.required = s.ContractRequest.required.filter((r) => r !== "kind"); // request property made optional
      doc.paths["/v1/clients/{clientId}"] = doc.paths["/v1/clients/{id}"];               // path parameter renamed
      delete doc.paths["/v1/clients/{id}"];
      for (const op of Object.values(doc.paths["/v1/clients/{clientId}"])) {
        for (const p of op.parameters ?? []) if (p.name === "id") p.name = "clientId";
      }
      doc.paths["/v1/exports"] = { get: { operationId: "ListExports", responses: { 200: { description: "OK" } } } };
    });
    assert.deepEqual(result.breaking, [], lines(result).join("\n"));
    assert.ok(result.notes.includes("operation added: GET /v1/exports (ListExports)"));
    assert.ok(result.notes.some((n) => n.startsWith('response enum gains "travel"')));
  });

  test("a path parameter renamed is not a removed parameter (the wire is the same): a note", () => {
    const result = breakWith((doc) => {
      doc.paths["/v1/tenants/{tenantId}"] = doc.paths["/v1/tenants/{id}"];
      delete doc.paths["/v1/tenants/{id}"];
      doc.paths["/v1/tenants/{tenantId}"].get.parameters[0].name = "tenantId";
    });
    assert.deepEqual(result.breaking, []);
    assert.deepEqual(result.notes, ["path parameter renamed: GET /v1/tenants/{id} {id} -> {tenantId}"]);
  });

  test("documenting a null the server sends (allOf + nullable around a $ref) is a response break, a request loosening", () => {
    // The committed document has the nullable form; compare it with a copy that had the bare $ref.
    const before = committed();
    // ...and the enum without its null member (the committed LeadOutcome lists null, as the API sends it).
    before.components.schemas.LeadOutcome = { enum: ["won", "lost"], type: "string" };
    for (const schema of [before.components.schemas.LeadRequest, before.components.schemas.LeadResponse]) {
      schema.properties.outcome = { $ref: "#/components/schemas/LeadOutcome" };
    }
    const result = compareDocuments(before, committed());
    assert.deepEqual(rules(result), ["response-became-nullable"]);
    assert.ok(lines(result).includes("response-became-nullable: GET /v1/leads/{id} response 200 application/json $.outcome"));
    assert.ok(!lines(result).some((l) => l.includes("request body")));
  });

  test("a recursive schema terminates", () => {
    const doc = committed();
    doc.components.schemas.Node = { type: "object", properties: { child: { $ref: "#/components/schemas/Node" }, name: { type: "string" } } };
    doc.paths["/v1/tree"] = { get: { operationId: "Tree", responses: { 200: { description: "OK", content: { "application/json": { schema: { $ref: "#/components/schemas/Node" } } } } } } };
    const changed = structuredClone(doc);
    delete changed.components.schemas.Node.properties.name;
    const result = compareDocuments(doc, changed);
    assert.deepEqual(lines(result), ["response-property-removed: GET /v1/tree response 200 application/json $.name (was in Node)"]);
  });
});

describe("allow-list", () => {
  const result = breakWith((doc, s) => {
    delete doc.paths["/v1/leads/{id}"].delete;
    s.CostCategory.enum = s.CostCategory.enum.filter((v) => v !== "overhead");
  });

  test("exact lines and * wildcards accept listed breaks only", () => {
    const allow = parseAllowlist([
      "# a comment",
      "",
      "operation-removed: DELETE /v1/leads/{id} (operationId DeleteLead)",
      'enum-value-removed: * ("overhead" removed from request enum CostCategory)',
    ].join("\n"));
    const { allowed, refused } = applyAllowlist(result.breaking, allow);
    assert.equal(allowed.filter((b) => b.rule === "operation-removed").length, 1);
    assert.equal(allowed.filter((b) => b.rule === "enum-value-removed").length, 3, "the three request-side removals");
    assert.ok(refused.length > 0 && refused.every((b) => b.line.includes("from response enum")));
  });
});

function node(args, options = {}) {
  return spawnSync(process.execPath, args, { encoding: "utf8", ...options });
}

describe("CLI", () => {
  const oldFile = join(work, "old.json");
  const newFile = join(work, "new.json");
  const allowFile = join(work, "allowed.txt");
  writeFileSync(oldFile, committedText);
  const doc = committed();
  delete doc.paths["/v1/leads/{id}"].delete;
  writeFileSync(newFile, JSON.stringify(doc));
  const script = join(root, "scripts/openapi-breaking-check.mjs");

  test("exit 0 on the same document", () => {
    const run = node([script, oldFile, oldFile]);
    assert.equal(run.status, 0, run.stdout + run.stderr);
    assert.match(run.stdout, /OK: 0 breaking change\(s\) not allowed/);
  });

  test("exit 1 with a clear message on a break", () => {
    const run = node([script, oldFile, newFile]);
    assert.equal(run.status, 1);
    assert.match(run.stdout, /^BREAKING operation-removed: DELETE \/v1\/leads\/\{id\} \(operationId DeleteLead\)$/m);
    assert.match(run.stdout, /FAILED: 1 breaking change\(s\) not allowed/);
  });

  test("exit 0 when the break is allowed", () => {
    writeFileSync(allowFile, "operation-removed: DELETE /v1/leads/{id} (operationId DeleteLead)\n");
    const run = node([script, oldFile, newFile, "--allow", allowFile]);
    assert.equal(run.status, 0, run.stdout);
    assert.match(run.stdout, /^allowed  operation-removed: DELETE/m);
  });

  test("exit 2 on an unreadable document", () => {
    writeFileSync(join(work, "bad.json"), "{ not json");
    const run = node([script, oldFile, join(work, "bad.json")]);
    assert.equal(run.status, 2);
  });
});

describe("git wrapper (scripts/openapi-breaking-check.sh) in throw-away repositories", () => {
  const gitEnv = {
    ...process.env,
    GIT_AUTHOR_NAME: "test", GIT_AUTHOR_EMAIL: "test@example.invalid",
    GIT_COMMITTER_NAME: "test", GIT_COMMITTER_EMAIL: "test@example.invalid",
    GIT_CONFIG_NOSYSTEM: "1", HOME: work,
  };
  const git = (cwd, ...args) => {
    const run = spawnSync("git", args, { cwd, env: gitEnv, encoding: "utf8" });
    assert.equal(run.status, 0, `git ${args.join(" ")}: ${run.stderr}`);
    return run.stdout;
  };
  const check = (cwd, ...args) => spawnSync("bash", [join(cwd, "scripts/openapi-breaking-check.sh"), ...args], { cwd, env: gitEnv, encoding: "utf8" });

  function newRepo(name, withDoc) {
    const dir = join(work, name);
    mkdirSync(join(dir, "scripts"), { recursive: true });
    mkdirSync(join(dir, "openapi"), { recursive: true });
    for (const f of ["openapi-breaking-check.sh", "openapi-breaking-check.mjs"]) copyFileSync(join(root, "scripts", f), join(dir, "scripts", f));
    if (withDoc) writeFileSync(join(dir, "openapi/v1.json"), committedText);
    git(dir, "init", "-q", "-b", "main");
    git(dir, "add", "-A");
    git(dir, "commit", "-q", "-m", "first");
    return dir;
  }

  test("first commit: nothing to compare, passes and says so", () => {
    const dir = newRepo("first", true);
    const run = check(dir);
    assert.equal(run.status, 0, run.stdout + run.stderr);
    assert.match(run.stdout, /HEAD has no parent \(first commit\): nothing to compare; passing/);
  });

  test("HEAD~1 with the same document passes; a breaking commit fails; allowing it passes", () => {
    const dir = newRepo("history", true);
    writeFileSync(join(dir, "README.md"), "docs\n");
    git(dir, "add", "-A");
    git(dir, "commit", "-q", "-m", "docs only");
    let run = check(dir);
    assert.equal(run.status, 0, run.stdout + run.stderr);
    assert.match(run.stdout, /OK: 0 breaking change/);

    const doc = committed();
    delete doc.components.schemas.ClientResponse.properties.segment;
    writeFileSync(join(dir, "openapi/v1.json"), JSON.stringify(doc, null, 2));
    // the working tree is not what is checked: only HEAD counts
    run = check(dir);
    assert.equal(run.status, 0, "an uncommitted change is not checked by default");
    run = spawnSync("bash", [join(dir, "scripts/openapi-breaking-check.sh")], {
      cwd: dir, env: { ...gitEnv, OPENAPI_BREAKING_WORKTREE: "1" }, encoding: "utf8",
    });
    assert.equal(run.status, 1, "OPENAPI_BREAKING_WORKTREE=1 checks the working tree");

    git(dir, "commit", "-q", "-am", "drop segment");
    run = check(dir);
    assert.equal(run.status, 1, run.stdout + run.stderr);
    assert.match(run.stdout, /^BREAKING response-property-removed: GET \/v1\/clients\/\{id\} response 200 application\/json \$\.segment \(was in ClientResponse\)$/m);
    assert.match(run.stdout, /add each BREAKING line above \(without "BREAKING "\) to openapi\/breaking-changes-allowed\.txt/);

    writeFileSync(join(dir, "openapi/breaking-changes-allowed.txt"),
      "# segment was never filled by any partner (agreed in #123)\nresponse-property-removed: *.segment (was in ClientResponse)\n");
    git(dir, "add", "-A");
    git(dir, "commit", "-q", "--amend", "--no-edit");
    run = check(dir);
    assert.equal(run.status, 0, run.stdout + run.stderr);
    assert.match(run.stdout, /^allowed  response-property-removed: GET \/v1\/clients\/\{id\}/m);

    // an explicit older base sees the same break, and the same allow-list entries
    run = check(dir, "HEAD~2");
    assert.equal(run.status, 0, run.stdout + run.stderr);
  });

  test("the document missing at the base: passes and says so", () => {
    const dir = newRepo("nodoc", false);
    writeFileSync(join(dir, "openapi/v1.json"), committedText);
    git(dir, "add", "-A");
    git(dir, "commit", "-q", "-m", "add the contract");
    const run = check(dir);
    assert.equal(run.status, 0, run.stdout + run.stderr);
    assert.match(run.stdout, /openapi\/v1\.json does not exist at HEAD~1 \([0-9a-f]+\): nothing to compare; passing/);
  });

  test("a shallow clone without the parent: passes and says so; an unknown BASE_REV is an error", () => {
    const origin = newRepo("origin", true);
    writeFileSync(join(origin, "README.md"), "docs\n");
    git(origin, "add", "-A");
    git(origin, "commit", "-q", "-m", "second");
    const clone = join(work, "shallow");
    git(work, "clone", "-q", "--depth", "1", `file://${origin}`, clone);
    let run = check(clone);
    assert.equal(run.status, 0, run.stdout + run.stderr);
    assert.match(run.stdout, /HEAD~1 is not available \(shallow clone\): nothing to compare; passing/);
    run = check(clone, "no-such-rev");
    assert.equal(run.status, 2);
    assert.match(run.stderr, /no-such-rev is not in this shallow clone/);
  });
});
