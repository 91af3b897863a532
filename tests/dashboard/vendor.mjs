// Copies the dashboard's chart library from node_modules into the API's embedded assets, so that the
// committed copy serves `dotnet run` on a machine without npm. `--check` fails when the committed copy
// is not exactly what the pinned npm package gives (CI runs it after `npm ci`).
//
//   node vendor.mjs           write src/B2BKpiApi/Dashboard/Assets/chart.umd.min.js
//   node vendor.mjs --check   compare only
import { readFileSync, writeFileSync, existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const assets = join(here, "..", "..", "src", "B2BKpiApi", "Dashboard", "Assets");

const vendored = [
  {
    from: join(here, "node_modules", "chart.js", "dist", "chart.umd.min.js"),
    to: join(assets, "chart.umd.min.js"),
    // The source map is not shipped: drop the comment that would make browsers ask for it.
    transform: (text) => text.replace(/\n?\/\/# sourceMappingURL=\S+\s*$/, "\n"),
    licence: /Chart\.js v4\.6\.1[\s\S]*Released under the MIT License/,
  },
];

const check = process.argv.includes("--check");
let failed = false;
for (const file of vendored) {
  const wanted = file.transform(readFileSync(file.from, "utf8"));
  if (!file.licence.test(wanted.slice(0, 400))) {
    console.error(`vendor: ${file.from} does not start with its licence header`);
    failed = true;
    continue;
  }
  const current = existsSync(file.to) ? readFileSync(file.to, "utf8") : null;
  if (check) {
    if (current !== wanted) {
      console.error(`vendor: ${file.to} differs from ${file.from}; run \`npm run vendor\` in tests/dashboard and commit the result`);
      failed = true;
    } else {
      console.log(`vendor: ${file.to} is up to date`);
    }
  } else if (current !== wanted) {
    writeFileSync(file.to, wanted);
    console.log(`vendor: wrote ${file.to}`);
  } else {
    console.log(`vendor: ${file.to} already up to date`);
  }
}
process.exit(failed ? 1 : 0);
