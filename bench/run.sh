#!/usr/bin/env bash
# The benchmark: builds the API in Release, then for each database starts it, loads generated tenants through
# the public CSV import, times cold and warm KPI reads against their floors measured in the same run, stops
# it, and writes bench/results/<date>-<db>[-quick].md. See BENCHMARKS.md.
#
# usage: bench/run.sh [--quick|--full] [--db sqlite|postgres|both] [--no-build] [--out DIR] [-- harness options]
#   --quick  100k-record tenant, bounded KPI requests (30 s each): CI's smoke, a few minutes on 2 cores
#   --full   100k and 1M-record tenants, 5 repetitions, 300 s per KPI request
# Environment: BENCH_PORT (default: a free port), BENCH_PG (admin connection, default postgres/postgres on 127.0.0.1:5432),
#   BENCH_PG_DB (default kpi_bench_<hash of this checkout's path>, dropped and recreated), BENCH_TIMEOUT (s per KPI request), BENCH_REVENUE_MONTHS.
# Exit status: 1 on an error (HTTP error, wrong row count, API and floor disagreeing), never on a timing.
set -euo pipefail
cd "$(dirname "$0")/.."

mode=--quick db=both build=1 out=bench/results extra=()
while [ $# -gt 0 ]; do
  case "$1" in
    --quick|--full) mode=$1 ;;
    --db) db=$2; shift ;;
    --no-build) build=0 ;;
    --out) out=$2; shift ;;
    --) shift; extra=("$@"); break ;;
    *) echo "unknown option: $1 (see the header of $0)" >&2; exit 2 ;;
  esac
  shift
done
case "$db" in sqlite) dbs=(sqlite) ;; postgres) dbs=(postgres) ;; both) dbs=(sqlite postgres) ;;
  *) echo "--db must be sqlite, postgres or both" >&2; exit 2 ;; esac

if ! command -v wrk >/dev/null; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null
  else
    echo "wrk is required (Debian package wrk)" >&2; exit 2
  fi
fi
for tool in python3 dotnet; do command -v $tool >/dev/null || { echo "$tool is required" >&2; exit 2; }; done
if [[ " ${dbs[*]} " == *" postgres "* ]] && ! command -v psql >/dev/null; then echo "psql is required for --db postgres" >&2; exit 2; fi

if [ "$build" = 1 ]; then
  dotnet build src/B2BKpiApi/B2BKpiApi.csproj -c Release -nologo -v quiet
fi
dll=$PWD/src/B2BKpiApi/bin/Release/net10.0/B2BKpiApi.dll
[ -f "$dll" ] || { echo "no Release build at $dll" >&2; exit 2; }

status=0
for d in "${dbs[@]}"; do
  echo "== benchmark on $d ($mode)"
  python3 bench/harness.py --db "$d" --dll "$dll" "$mode" --out "$out" "${extra[@]}" || status=1
done
exit $status
