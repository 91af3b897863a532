#!/usr/bin/env node
// Fails when the committed src/schema.d.ts is not exactly what openapi-typescript generates from
// the committed ../../openapi/v1.json (same CLI, same options as `npm run generate`).
// Fix a failure with `npm run generate` and commit src/schema.d.ts.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const documentPath = resolve(root, "../../openapi/v1.json");
const committedPath = join(root, "src/schema.d.ts");
const cli = join(root, "node_modules/openapi-typescript/bin/cli.js");

if (!existsSync(cli)) {
  console.error("schema check: openapi-typescript is not installed; run `npm ci` in clients/typescript");
  process.exit(2);
}
if (!existsSync(committedPath)) {
  console.error("schema check: src/schema.d.ts is missing; run `npm run generate` and commit it");
  process.exit(1);
}

const work = mkdtempSync(join(tmpdir(), "kpi-schema-"));
try {
  const generatedPath = join(work, "schema.d.ts");
  // Run from the package root with the same relative arguments as the `generate` script.
  const run = spawnSync(process.execPath, [cli, "../../openapi/v1.json", "--output", generatedPath], {
    cwd: root,
    encoding: "utf8",
  });
  if (run.status !== 0) {
    console.error(`schema check: openapi-typescript failed (exit ${run.status}) on ${documentPath}`);
    console.error(run.stdout + run.stderr);
    process.exit(1);
  }
  const generated = readFileSync(generatedPath, "utf8");
  const committed = readFileSync(committedPath, "utf8");
  if (generated === committed) {
    console.log("schema check: src/schema.d.ts matches openapi/v1.json");
    process.exit(0);
  }
  const a = committed.split("\n");
  const b = generated.split("\n");
  let line = 0;
  while (line < a.length && line < b.length && a[line] === b[line]) line++;
  console.error("schema check: src/schema.d.ts is out of date with openapi/v1.json");
  console.error(`  first difference at line ${line + 1}:`);
  console.error(`  committed: ${a[line] === undefined ? "<end of file>" : a[line]}`);
  console.error(`  generated: ${b[line] === undefined ? "<end of file>" : b[line]}`);
  console.error("  run `npm run generate` in clients/typescript and commit src/schema.d.ts");
  process.exit(1);
} finally {
  rmSync(work, { recursive: true, force: true });
}
