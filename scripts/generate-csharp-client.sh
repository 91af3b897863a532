#!/usr/bin/env bash
# Regenerates the C# client (src/B2BKpiApi.Client/KpiApiClient.g.cs) from the committed contract
# (openapi/v1.json) with NSwag, using the settings in src/B2BKpiApi.Client/nswag.json, and its
# compatibility layer: NSwag also generates the client of the released contract (openapi/released/v1.json),
# and scripts/csharp-client-compat.mjs writes, from the two, KpiApiClient.Compat.g.cs (an overload with the
# released parameters for every operation whose parameters changed, so a call passing cancellationToken
# positionally keeps compiling) and tests/B2BKpiApi.Client.Tests/ReleasedV1Callers.g.cs (a caller of every
# released operation, compiled by the client tests). It fails when a change cannot be kept compatible.
#
#   scripts/generate-csharp-client.sh           rewrite the three files
#   scripts/generate-csharp-client.sh --check   change nothing; exit 1 if any of them differs
#                                               from what the contracts generate (for CI)
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
compat="$project/KpiApiClient.Compat.g.cs"
callers=tests/B2BKpiApi.Client.Tests/ReleasedV1Callers.g.cs
released=openapi/released/v1.json

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

# The released client: the same settings, read from the released contract.
sed "s#\"url\": \"../../openapi/v1.json\"#\"url\": \"$root/$released\"#" "$config" > "$work/released.nswag.json"
grep -q "\"url\": \"$root/$released\"" "$work/released.nswag.json" || { echo "generate-csharp-client: cannot point nswag.json at $released" >&2; exit 1; }
if ! npx --no-install nswag run "$work/released.nswag.json" /runtime:Net100 "/variables:Output=$work/Released.g.cs" >"$work/nswag-released.log" 2>&1 \
   || [ ! -s "$work/Released.g.cs" ]; then
  echo "generate-csharp-client: nswag failed on $released; its output:" >&2
  grep -v '^npm warn' "$work/nswag-released.log" >&2 || true
  exit 1
fi
node scripts/csharp-client-compat.mjs "$work/Released.g.cs" "$work/KpiApiClient.g.cs" "$work/KpiApiClient.Compat.g.cs" "$work/ReleasedV1Callers.g.cs"

if [ "$mode" = check ]; then
  stale=0
  for pair in "$client:KpiApiClient.g.cs" "$compat:KpiApiClient.Compat.g.cs" "$callers:ReleasedV1Callers.g.cs"; do
    file="${pair%%:*}"; generated="$work/${pair##*:}"
    if [ ! -f "$file" ]; then
      echo "generate-csharp-client: $file is missing; run scripts/generate-csharp-client.sh and commit it" >&2
      stale=1
    elif ! diff -u --label "$file (committed)" --label "$file (generated from the contracts)" \
         "$file" "$generated" >"$work/client.diff"; then
      head -n 60 "$work/client.diff" >&2
      echo "generate-csharp-client: $file is not what the contracts generate;" \
           "run scripts/generate-csharp-client.sh and commit the result" >&2
      stale=1
    fi
  done
  [ "$stale" = 0 ] || exit 1
  echo "generate-csharp-client: $client, $compat and $callers are up to date with openapi/v1.json and $released"
  exit 0
fi

for pair in "$client:KpiApiClient.g.cs" "$compat:KpiApiClient.Compat.g.cs" "$callers:ReleasedV1Callers.g.cs"; do
  file="${pair%%:*}"; generated="$work/${pair##*:}"
  if cmp -s "$generated" "$file"; then
    echo "generate-csharp-client: $file unchanged"
  else
    cp "$generated" "$file"
    echo "generate-csharp-client: wrote $file"
  fi
done
