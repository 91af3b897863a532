#!/usr/bin/env bash
# Checks the KPI dashboard (/dashboard) in Debian's chromium against a live API started from a built dll.
#
#   scripts/dashboard-check.sh <path-to-B2BKpiApi.dll> [screenshot-dir]
#
# 1. installs chromium with apt-get when /usr/bin/chromium is missing (never `npx playwright install`);
# 2. `npm ci` in tests/dashboard (pinned playwright-core, axe-core, chart.js);
# 3. `npm run vendor:check`: the committed src/B2BKpiApi/Dashboard/Assets/chart.umd.min.js must be exactly
#    the pinned chart.js package's UMD build (fix: `npm run vendor` in tests/dashboard, commit the result);
# 4. starts the API on 127.0.0.1 (a free port) with a fresh SQLite file and a random operator key, runs
#    the browser tests (node --test) with KPI_BASE_URL, KPI_ADMIN_KEY and SCREENSHOT_DIR set, stops the API.
# Screenshots go to the given folder (default: docs/screenshots, the copies linked from the README).
# Exits non-zero if any step failed. Needs node >= 20, npm and dotnet.
set -euo pipefail

if [ $# -lt 1 ] || [ $# -gt 2 ]; then
  echo "usage: $0 <path-to-B2BKpiApi.dll> [screenshot-dir]" >&2
  exit 2
fi
if [ ! -f "$1" ]; then
  echo "dashboard-check: no such file: $1 (build it first: dotnet build src/B2BKpiApi -c Release)" >&2
  exit 2
fi
dll="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
shots="$(mkdir -p "${2:-$root/docs/screenshots}" && cd "${2:-$root/docs/screenshots}" && pwd)"
# shellcheck source=lib/live-api.sh
source "$root/scripts/lib/live-api.sh"

if [ ! -x /usr/bin/chromium ]; then
  echo "== installing Debian's chromium"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi
for tool in node npm dotnet; do
  command -v "$tool" >/dev/null || { echo "dashboard-check: '$tool' is not on PATH" >&2; exit 2; }
done

work="$(mktemp -d "${TMPDIR:-/tmp}/dashboard-check.XXXXXX")"
keep_work=0
cleanup() {
  live_api_stop
  if [ "$keep_work" -eq 1 ]; then echo "dashboard-check: kept $work (server.log)" >&2; else rm -rf "$work"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

cd "$root/tests/dashboard"
echo "== npm ci (tests/dashboard)"
npm ci --no-audit --no-fund --loglevel=error

echo "== vendored chart library matches its npm package"
npm run --silent vendor:check

live_api_start dashboard-check "$dll" "$work"

echo "== browser tests (chromium $(/usr/bin/chromium --version 2>/dev/null | awk '{print $2}'), KPI_BASE_URL=$base_url, screenshots in $shots)"
test_rc=0
CI=true KPI_BASE_URL="$base_url" KPI_ADMIN_KEY="$admin_key" SCREENSHOT_DIR="$shots" npm test || test_rc=$?
if [ "$test_rc" -ne 0 ]; then
  echo "dashboard-check: FAILED (npm test exit $test_rc); the API's last log lines:" >&2
  tail -n 30 "$work/server.log" >&2
  keep_work=1
  exit 1
fi
echo "dashboard-check: OK"
