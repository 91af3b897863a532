#!/usr/bin/env bash
# Regenerates the C# client (src/B2BKpiApi.Client/KpiApiClient.g.cs) from the committed contract
# (openapi/v1.json) with NSwag, using the settings in src/B2BKpiApi.Client/nswag.json.
#
#   scripts/generate-csharp-client.sh           rewrite KpiApiClient.g.cs
#   scripts/generate-csharp-client.sh --check   change nothing; exit 1 if KpiApiClient.g.cs differs
#                                               from what openapi/v1.json generates (for CI)
#
# The output depends only on the document, nswag.json and the nswag version pinned in
# package-lock.json, so a second run gives no diff. Needs node with this repo's devDependencies
# (`npm ci`) and the .NET 10 runtime (nswag runs its Net100 binaries).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

mode=write
case "${1:-}" in
  "") ;;
  --check) mode=check ;;
  *) echo "usage: $0 [--check]" >&2; exit 2 ;;
esac

project=src/B2BKpiApi.Client
config="$project/nswag.json"
client="$project/KpiApiClient.g.cs"

for tool in node npx dotnet; do
  command -v "$tool" >/dev/null || { echo "generate-csharp-client: '$tool' is not on PATH" >&2; exit 2; }
done
if [ ! -x node_modules/.bin/nswag ]; then
  echo "generate-csharp-client: nswag is not installed; run 'npm ci' in $root first" >&2
  exit 2
fi

work="$(mktemp -d "${TMPDIR:-/tmp}/generate-csharp-client.XXXXXX")"
trap 'rm -rf "$work"' EXIT

# nswag.json reads ../../openapi/v1.json (relative to itself) and writes $(Output); an absolute
# Output keeps the committed file untouched until the generation has succeeded.
if ! npx --no-install nswag run "$config" /runtime:Net100 "/variables:Output=$work/KpiApiClient.g.cs" >"$work/nswag.log" 2>&1 \
   || [ ! -s "$work/KpiApiClient.g.cs" ]; then
  echo "generate-csharp-client: nswag failed; its output:" >&2
  grep -v '^npm warn' "$work/nswag.log" >&2 || true
  exit 1
fi

if [ "$mode" = check ]; then
  if [ ! -f "$client" ]; then
    echo "generate-csharp-client: $client is missing; run scripts/generate-csharp-client.sh and commit it" >&2
    exit 1
  fi
  if ! diff -u --label "$client (committed)" --label "$client (generated from openapi/v1.json)" \
       "$client" "$work/KpiApiClient.g.cs" >"$work/client.diff"; then
    head -n 60 "$work/client.diff" >&2
    echo "generate-csharp-client: $client is not what openapi/v1.json generates;" \
         "run scripts/generate-csharp-client.sh and commit the result" >&2
    exit 1
  fi
  echo "generate-csharp-client: $client is up to date with openapi/v1.json"
  exit 0
fi

if cmp -s "$work/KpiApiClient.g.cs" "$client"; then
  echo "generate-csharp-client: $client unchanged"
else
  cp "$work/KpiApiClient.g.cs" "$client"
  echo "generate-csharp-client: wrote $client"
fi
