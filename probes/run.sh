#!/usr/bin/env bash
# Runs the outside-probe suite (probes/*.test.mjs, node's built-in test runner) against a live API started
# from a built dll, on SQLite or PostgreSQL.
#
#   probes/run.sh <path-to-B2BKpiApi.dll> sqlite
#   probes/run.sh <path-to-B2BKpiApi.dll> postgres "Host=127.0.0.1;Port=5432;Username=postgres;Password=postgres"
#
# For PostgreSQL a database of its own (kpi_probes_<random>) is created by the API and dropped at the end.
# Prints node's TAP output (its `# pass N` / `# fail N` lines are what .ci/run counts); exits non-zero if a
# probe failed. Environment (optional): LIVE_API_PORT, LIVE_API_READY_SECS (see scripts/lib/live-api.sh).
set -euo pipefail
if [ $# -lt 2 ]; then echo "usage: $0 <dll> sqlite|postgres [postgres-connection-without-database]" >&2; exit 2; fi
[ -f "$1" ] || { echo "probes: no such file: $1 (build it first: dotnet build src/B2BKpiApi -c Release)" >&2; exit 2; }
dll="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
provider="$2"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=../scripts/lib/live-api.sh
source "$root/scripts/lib/live-api.sh"

work="$(mktemp -d "${TMPDIR:-/tmp}/probes.XXXXXX")"
pg_db=""
case "$provider" in
  sqlite) export LIVE_API_PROVIDER=sqlite LIVE_API_CONNECTION="Data Source=$work/kpi.db" ;;
  postgres)
    pg_base="${3:-Host=127.0.0.1;Port=5432;Username=postgres;Password=postgres}"
    pg_db="kpi_probes_$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n')"
    export LIVE_API_PROVIDER=postgres LIVE_API_CONNECTION="$pg_base;Database=$pg_db" ;;
  *) echo "probes: provider must be sqlite or postgres" >&2; exit 2 ;;
esac

cleanup() {
  live_api_stop
  # The crash probe restarts the server itself; stop any instance it left behind (its pid is in restarted.pid).
  # The webhook probe runs a server of its own (loopback receivers are refused in Production); stop it likewise.
  for f in restarted.pid webhooks.pid; do
    [ -f "$work/$f" ] || continue
    p="$(cat "$work/$f")"
    kill "$p" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$p" 2>/dev/null || true
  done
  if [ -n "$pg_db" ]; then
    for db in "$pg_db" "${pg_db}_wh"; do
      PGPASSWORD=postgres psql -h 127.0.0.1 -U postgres -d postgres -q -c "DROP DATABASE IF EXISTS \"$db\" WITH (FORCE)" >/dev/null 2>&1 || true
    done
  fi
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

live_api_start "probes-$provider" "$dll" "$work"

# Files run one after another (the crash probe restarts the server; the flood probe trips the
# per-address limiter), the tests inside a file in order.
rc=0
KPI_BASE_URL="$base_url" KPI_ADMIN_KEY="$admin_key" PROBE_DLL="$dll" PROBE_WORK="$work" PROBE_SERVER_PID="$server_pid" \
PROBE_PROVIDER="$LIVE_API_PROVIDER" PROBE_CONNECTION="$LIVE_API_CONNECTION" \
  node --test --test-concurrency=1 --test-reporter=tap "$root"/probes/*.test.mjs || rc=$?
if [ "$rc" -ne 0 ]; then
  echo "probes ($provider): FAILED; the API's last log lines:" >&2
  tail -n 40 "$work/server.log" >&2 || true
  if [ -f "$work/server-restarted.log" ]; then
    echo "probes ($provider): the restarted API's last log lines (crash probe):" >&2
    tail -n 40 "$work/server-restarted.log" >&2 || true
  fi
  if [ -f "$work/server-webhooks.log" ]; then
    echo "probes ($provider): the webhook probe's own API's last log lines:" >&2
    tail -n 40 "$work/server-webhooks.log" >&2 || true
  fi
fi
echo "probes ($provider): $([ "$rc" -eq 0 ] && echo OK || echo FAILED)"
exit "$rc"
