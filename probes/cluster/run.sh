#!/usr/bin/env bash
# Faults under load on a real cluster (issue 15 item 6): starts one with scripts/cluster.sh (PostgreSQL primary +
# streaming replica, Redis, three API instances, HAProxy), runs probes/cluster/faults.mjs against it (1,000 write→read
# pairs across instances: 0 stale reads; then kill -9 an instance, Redis down 20 s, replica down, primary restart
# under a steady mixed load of at least 60 s) and always stops the cluster again.
#
#   probes/cluster/run.sh [--publish DIR|DLL] [--dir DIR]
#
# --publish: a publish folder (or its B2BKpiApi.dll) to run instead of publishing src/B2BKpiApi; --dir: where the
# cluster lives (default: a new temp folder, removed at the end). Prints the fault tables and TAP-like lines
# ending with `# pass N` / `# fail N` (what .ci/run counts); exits non-zero if a check failed.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
publish="" dir=""
while [ $# -gt 0 ]; do
  case "$1" in
    --publish) publish="$2"; shift 2 ;;
    --dir) dir="$2"; shift 2 ;;
    *) echo "usage: $0 [--publish DIR|DLL] [--dir DIR]" >&2; exit 2 ;;
  esac
done
own_dir=0
if [ -z "$dir" ]; then dir="$(mktemp -d "${TMPDIR:-/tmp}/kpi-cluster.XXXXXX")"; own_dir=1; fi
cleanup() {
  bash "$root/scripts/cluster.sh" down --dir "$dir" || true
  if [ "$own_dir" = 1 ]; then rm -rf "$dir"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

started=$SECONDS
up_args=(up --dir "$dir")
[ -n "$publish" ] && up_args+=(--publish "$publish")
if ! bash "$root/scripts/cluster.sh" "${up_args[@]}"; then
  echo "not ok 1 - scripts/cluster.sh up"
  for f in "$dir"/logs/*.log; do echo "--- $f"; tail -n 20 "$f"; done
  echo "# pass 0"; echo "# fail 1"
  exit 1
fi
echo "# cluster up in $((SECONDS - started)) s"
rc=0
node "$root/probes/cluster/faults.mjs" "$dir" || rc=$?
if [ "$rc" -ne 0 ]; then
  for f in "$dir"/logs/instance-*.log; do echo "--- last warnings/errors of $f"; grep -E '"LogLevel":"(Warning|Error|Critical)"|fail:|warn:' "$f" | tail -n 8 || true; done
fi
echo "# cluster stage took $((SECONDS - started)) s"
exit "$rc"
