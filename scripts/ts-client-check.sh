#!/usr/bin/env bash
# Checks the TypeScript client (clients/typescript) end to end against a live API started from a built dll.
#
#   scripts/ts-client-check.sh <path-to-B2BKpiApi.dll>
#
# 1. `npm ci` in clients/typescript (pinned openapi-typescript, openapi-fetch, typescript, tsx);
# 2. `npm run check`: the committed src/schema.d.ts must be exactly what openapi-typescript makes of
#    the committed openapi/v1.json (fix: `npm run generate` in clients/typescript, commit the result);
# 3. `npm run typecheck`: tsc --noEmit over the client and its tests;
# 4. starts the API on 127.0.0.1 (a free port) with a fresh SQLite file in a temp folder and a random
#    operator key, waits for /health/ready, runs `npm test` with KPI_BASE_URL and KPI_ADMIN_KEY set
#    (and CI=true, so a suite that cannot reach its settings fails rather than skips), stops the API.
# Exits non-zero if any step failed. Needs node >= 20, npm and dotnet.
#
# Environment (optional):
#   LIVE_API_PORT               port to listen on (default: a free one)
#   LIVE_API_READY_SECS         how long to wait for /health/ready (default 60)
set -euo pipefail

if [ $# -ne 1 ]; then
  echo "usage: $0 <path-to-B2BKpiApi.dll>" >&2
  exit 2
fi
if [ ! -f "$1" ]; then
  echo "ts-client-check: no such file: $1 (build it first: dotnet build src/B2BKpiApi -c Release)" >&2
  exit 2
fi
dll="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=lib/live-api.sh
source "$root/scripts/lib/live-api.sh"
client_dir="$root/clients/typescript"

for tool in node npm dotnet; do
  command -v "$tool" >/dev/null || { echo "ts-client-check: '$tool' is not on PATH" >&2; exit 2; }
done

work="$(mktemp -d "${TMPDIR:-/tmp}/ts-client-check.XXXXXX")"
keep_work=0
cleanup() {
  live_api_stop
  if [ "$keep_work" -eq 1 ]; then
    echo "ts-client-check: kept $work (server.log)" >&2
  else
    rm -rf "$work"
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

cd "$client_dir"
echo "== npm ci (clients/typescript)"
npm ci --no-audit --no-fund --loglevel=error

echo "== npm run check (src/schema.d.ts against openapi/v1.json)"
npm run --silent check

echo "== npm run typecheck (tsc --noEmit)"
npm run --silent typecheck
echo "tsc: no errors"

live_api_start ts-client-check "$dll" "$work"

echo "== npm test (KPI_BASE_URL=$base_url KPI_ADMIN_KEY=***)"
test_rc=0
CI=true KPI_BASE_URL="$base_url" KPI_ADMIN_KEY="$admin_key" npm test || test_rc=$?
if [ "$test_rc" -ne 0 ]; then
  echo "ts-client-check: FAILED (npm test exit $test_rc); the API's last log lines:" >&2
  tail -n 30 "$work/server.log" >&2
  keep_work=1
  exit 1
fi
echo "ts-client-check: OK"
