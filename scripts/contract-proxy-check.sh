#!/usr/bin/env bash
# Sends every request of http/*.http through Prism, a strict OpenAPI validator, acting as a proxy in
# front of a live API, and fails if any response the API sent does not match openapi/v1.json.
#
#   scripts/contract-proxy-check.sh <path-to-B2BKpiApi.dll>
#
# Starts the API (scripts/lib/live-api.sh), starts `prism proxy openapi/v1.json <api>` on another free
# port of 127.0.0.1, runs the .http files against the proxy with httpyac, stops both, and reads Prism's
# log: each response violation is printed and fails the check, as does a run in which Prism validated
# fewer than 100 responses. Request violations are expected (the .http files send invalid requests on
# purpose to show the 400s) and are only counted. Prism 5.16 never answers a request whose JSON body is
# malformed, so those few requests time out here (httpyac --timeout) and are only counted too:
# scripts/http-check.sh runs every request and assertion directly. Needs `npm ci` and dotnet.
set -euo pipefail

if [ $# -ne 1 ] || [ ! -f "$1" ]; then
  echo "usage: $0 <path-to-B2BKpiApi.dll> (build it first: dotnet build src/B2BKpiApi -c Release)" >&2
  exit 2
fi
dll="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=lib/live-api.sh
source "$root/scripts/lib/live-api.sh"
cd "$root"
for tool in node_modules/.bin/prism node_modules/.bin/httpyac; do
  [ -x "$tool" ] || { echo "contract-proxy-check: $tool is missing; run 'npm ci' in $root first" >&2; exit 2; }
done

work="$(mktemp -d "${TMPDIR:-/tmp}/contract-proxy-check.XXXXXX")"
prism_pid=""
keep_work=0
cleanup() {
  if [ -n "$prism_pid" ] && kill -0 "$prism_pid" 2>/dev/null; then
    kill "$prism_pid" 2>/dev/null || true
    wait "$prism_pid" 2>/dev/null || true
  fi
  live_api_stop
  if [ "$keep_work" -eq 1 ]; then echo "contract-proxy-check: kept $work" >&2; else rm -rf "$work"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

live_api_start contract-proxy-check "$dll" "$work"

proxy_port="${CONTRACT_PROXY_PORT:-$(node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')}"
proxy_url="http://127.0.0.1:$proxy_port"
echo "== prism proxy openapi/v1.json $base_url on $proxy_url"
node_modules/.bin/prism proxy openapi/v1.json "$base_url" --host 127.0.0.1 --port "$proxy_port" >"$work/prism.log" 2>&1 &
prism_pid=$!
for _ in $(seq 1 120); do
  node -e 'fetch(process.argv[1]).then(() => process.exit(0), () => process.exit(1))' "$proxy_url/health/live" 2>/dev/null && break
  kill -0 "$prism_pid" 2>/dev/null || { echo "contract-proxy-check: prism exited:" >&2; cat "$work/prism.log" >&2; exit 1; }
  sleep 0.5
done

shopt -s nullglob
files=(http/*.http)
shopt -u nullglob
httpyac_rc=0
npx --no-install httpyac send "${files[@]}" --all -e local --timeout 10000 --var "baseUrl=$proxy_url" --var "adminKey=$admin_key" \
  --json -o response >"$work/httpyac.json" 2>"$work/httpyac.stderr" || httpyac_rc=$?
sleep 1 # let Prism flush the log of the last response

node - "$work/prism.log" "$work/httpyac.json" "$httpyac_rc" <<'JS'
const fs = require('fs');
const [logFile, reportFile, httpyacRc] = process.argv.slice(2);
// Prism's pretty log: strip colours, then one line per message.
const log = fs.readFileSync(logFile, 'utf8').replace(/\u001b\[[0-9;]*m/g, '');
const lines = log.split('\n');
const requests = lines.filter(l => /Received forward response/.test(l)).length;
const responseViolations = lines.filter(l => /Violation: response/.test(l));
const requestViolations = lines.filter(l => /Violation: request/.test(l)).length;
let report = {};
try { report = JSON.parse(fs.readFileSync(reportFile, 'utf8')); } catch { /* reported below */ }
const s = report.summary || {};
console.log(`contract-proxy-check: prism validated ${requests} responses; ${requestViolations} request violations (expected: the .http files show the 400s)`);
console.log(`contract-proxy-check: ${s.erroredRequests || 0} of ${s.totalRequests || 0} requests got no answer through the proxy (malformed JSON bodies, which Prism cannot forward)`);
for (const v of responseViolations) console.log(`  ✖ ${v.trim()}`);
const failed = responseViolations.length > 0 ? 1 : 0;
const broken = requests < 100;
if (broken) console.log('contract-proxy-check: too few responses went through the proxy to trust the check');
console.log(`contract-proxy-check: ${failed || broken ? 'FAILED' : 'OK'} (${responseViolations.length} response violations)`);
console.log(`# pass ${failed || broken ? 0 : 1}`);
console.log(`# fail ${failed || broken ? 1 : 0}`);
process.exit(failed || broken ? 1 : 0);
JS
