#!/usr/bin/env bash
# Runs every request of http/*.http (httpyac) against a live API started from a built dll.
#
#   scripts/http-check.sh <path-to-B2BKpiApi.dll>
#
# Starts the API on 127.0.0.1 (a free port) with a fresh SQLite file in a temp folder and a random
# operator key, waits for /health/ready, sends every request of every file in order with httpyac,
# prints one line per request and httpyac's summary, stops the API, and exits non-zero if any
# request or assertion failed. Needs node with this repo's devDependencies (`npm ci`) and dotnet.
#
# Environment (optional):
#   LIVE_API_PORT           port to listen on (default: a free one)
#   LIVE_API_READY_SECS     how long to wait for /health/ready (default 60)
set -euo pipefail

if [ $# -ne 1 ]; then
  echo "usage: $0 <path-to-B2BKpiApi.dll>" >&2
  exit 2
fi
if [ ! -f "$1" ]; then
  echo "http-check: no such file: $1 (build it first: dotnet build src/B2BKpiApi -c Release)" >&2
  exit 2
fi
dll="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=lib/live-api.sh
source "$root/scripts/lib/live-api.sh"
cd "$root"

for tool in node npx dotnet; do
  command -v "$tool" >/dev/null || { echo "http-check: '$tool' is not on PATH" >&2; exit 2; }
done
if [ ! -x node_modules/.bin/httpyac ]; then
  echo "http-check: httpyac is not installed; run 'npm ci' in $root first" >&2
  exit 2
fi
shopt -s nullglob
files=(http/*.http)
shopt -u nullglob
if [ ${#files[@]} -eq 0 ]; then
  echo "http-check: no http/*.http files in $root" >&2
  exit 2
fi

work="$(mktemp -d "${TMPDIR:-/tmp}/http-check.XXXXXX")"
keep_work=0
cleanup() {
  live_api_stop
  if [ "$keep_work" -eq 1 ]; then
    echo "http-check: kept $work (server.log, httpyac.json, httpyac.stderr)" >&2
  else
    rm -rf "$work"
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

live_api_start http-check "$dll" "$work"

echo "== npx httpyac send ${files[*]} --all -e local --var baseUrl=$base_url --var adminKey=*** --json -o response"
httpyac_rc=0
npx --no-install httpyac send "${files[@]}" --all -e local \
  --var "baseUrl=$base_url" --var "adminKey=$admin_key" \
  --json -o response >"$work/httpyac.json" 2>"$work/httpyac.stderr" || httpyac_rc=$?

# httpyac's JSON report: one line per request, the failing assertions with the response that
# failed them, then httpyac's summary. Exits 1 when anything failed or errored, or nothing ran.
report_rc=0
node - "$work/httpyac.json" "$httpyac_rc" <<'JS' || report_rc=$?
const fs = require('fs');
const path = require('path');
const [file, httpyacRc] = process.argv.slice(2);
let report;
try {
  report = JSON.parse(fs.readFileSync(file, 'utf8'));
} catch (e) {
  console.log(`http-check: httpyac gave no JSON report (exit ${httpyacRc}): ${e.message}`);
  process.exit(1);
}
const requests = report.requests || [];
let currentFile = '';
for (const r of requests) {
  const rel = path.relative(process.cwd(), r.fileName);
  if (rel !== currentFile) {
    currentFile = rel;
    console.log(`\n-- ${rel}`);
  }
  const s = r.summary || {};
  const ok = (s.failedTests || 0) + (s.erroredTests || 0) + (s.skippedTests || 0) === 0;
  const status = r.response ? r.response.statusCode : 'no response';
  const title = r.title || r.name;
  console.log(`${ok ? '✓' : '✖'} ${path.basename(rel)}:${r.line} ${title} -> ${status} (${s.successTests || 0}/${s.totalTests || 0})`);
  if (ok) continue;
  for (const t of r.testResults || []) {
    if (t.status === 'SUCCESS') continue;
    const why = t.error ? ` (${t.error.displayMessage || t.error.message})` : '';
    console.log(`    ✖ ${t.status}: ${t.message}${why}`);
  }
  if (r.response) {
    const req = (r.response.name || '').replace(/^\d+ - /, '');
    console.log(`    request: ${req}`);
    let body = typeof r.response.body === 'string' ? r.response.body : JSON.stringify(r.response.body);
    if (body && body.length > 2000) body = body.slice(0, 2000) + '...';
    if (body) console.log(`    response body: ${body.replace(/\n/g, '\n    ')}`);
  }
}
const s = report.summary || {};
const parts = [];
parts.push(`${s.successRequests || 0} succeeded`);
parts.push(`${s.failedRequests || 0} failed`);
parts.push(`${s.erroredRequests || 0} errored`);
parts.push(`${s.skippedRequests || 0} skipped`);
console.log('');
console.log(`httpyac: ${s.totalRequests || 0} requests processed (${parts.join(', ')})`);
console.log(`httpyac: ${s.totalTests || 0} assertions (${s.successTests || 0} succeeded, ${s.failedTests || 0} failed, ${s.erroredTests || 0} errored, ${s.skippedTests || 0} skipped)`);
const failed = (s.failedTests || 0) + (s.erroredTests || 0);
console.log(`http-check: ${s.successTests || 0} passed, ${failed} failed`);
const bad = failed > 0 || (s.skippedTests || 0) > 0 || !s.totalRequests
  || s.successRequests !== s.totalRequests || Number(httpyacRc) !== 0;
process.exit(bad ? 1 : 0);
JS

if [ "$httpyac_rc" -ne 0 ] || [ "$report_rc" -ne 0 ]; then
  echo "http-check: FAILED (httpyac exit $httpyac_rc)" >&2
  if grep -qv '^npm warn' "$work/httpyac.stderr"; then
    echo "http-check: httpyac stderr:" >&2
    grep -v '^npm warn' "$work/httpyac.stderr" | tail -n 40 >&2
  fi
  keep_work=1
  exit 1
fi
echo "http-check: OK"
