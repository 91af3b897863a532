#!/usr/bin/env bash
# Warm-read throughput through HAProxy with three instances vs one instance direct (issue 15, item 7):
# starts a cluster with scripts/cluster.sh (PostgreSQL primary + replica, Redis, 3 instances, HAProxy), runs
# bench/cluster_throughput.py against it, and stops exactly what it started. Writes the table to stdout and to
# bench/results/<date>-cluster.md.
#
# usage: bench/cluster-run.sh [--publish DIR|DLL] [-- cluster_throughput.py options]
# Needs wrk, python3 and what scripts/cluster.sh needs (installed with apt-get when missing, as root).
set -euo pipefail
cd "$(dirname "$0")/.."
publish=() extra=()
while [ $# -gt 0 ]; do
  case "$1" in
    --publish) publish=(--publish "$2"); shift ;;
    --) shift; extra=("$@"); break ;;
    *) echo "unknown option: $1 (see the header of $0)" >&2; exit 2 ;;
  esac
  shift
done
command -v wrk >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }
dir=$(mktemp -d /tmp/kpi-cluster-bench.XXXXXX)
trap 'scripts/cluster.sh down --dir "$dir" >/dev/null 2>&1 || true' EXIT
# The per-tenant limit would answer 429 to a load run; a benchmark measures throughput, not the limit.
export RateLimiting__PermitsPerMinute=100000000
scripts/cluster.sh up --dir "$dir" "${publish[@]}"
mkdir -p bench/results
out="bench/results/$(date -u +%Y-%m-%d)-cluster.md"
python3 bench/cluster_throughput.py "$dir/cluster.json" "${extra[@]}" | tee "$out"
