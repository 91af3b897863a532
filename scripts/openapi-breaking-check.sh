#!/usr/bin/env bash
# Fails when the committed openapi/v1.json breaks the v1 contract compared with the same file at BASE_REV.
#
#   scripts/openapi-breaking-check.sh [BASE_REV]        (default BASE_REV: HEAD~1)
#
# Compares openapi/v1.json as committed at HEAD (not the working tree: what is checked is what lands)
# with openapi/v1.json at BASE_REV, using scripts/openapi-breaking-check.mjs (node, no dependencies;
# its header lists every rule). Passes, saying why, when there is nothing to compare: the file does
# not exist at BASE_REV, or BASE_REV is the default HEAD~1 and HEAD has no parent here (first commit,
# or a shallow clone). Any other BASE_REV that does not resolve is an error (exit 2).
#
# Intended breaks: add each reported line (after "BREAKING ") to openapi/breaking-changes-allowed.txt
# in the same change, one per line (`*` is a wildcard, # starts a comment). See the .mjs header.
#
# Environment (optional):
#   OPENAPI_BREAKING_WORKTREE=1   compare the working-tree file instead of HEAD's (before committing)
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
doc="openapi/v1.json"
allow="openapi/breaking-changes-allowed.txt"

if [ $# -gt 1 ]; then
  echo "usage: $0 [BASE_REV]" >&2
  exit 2
fi
base="${1:-HEAD~1}"

command -v node >/dev/null || { echo "openapi-breaking-check: 'node' is not on PATH" >&2; exit 2; }
git rev-parse --git-dir >/dev/null 2>&1 || { echo "openapi-breaking-check: $root is not a git work tree" >&2; exit 2; }

if ! base_sha="$(git rev-parse --verify --quiet "$base^{commit}")"; then
  shallow="$(git rev-parse --is-shallow-repository 2>/dev/null || echo false)"
  if [ $# -eq 0 ] && ! git rev-parse --verify --quiet "HEAD^{commit}" >/dev/null; then
    echo "openapi-breaking-check: no commit yet: nothing to compare; passing"
    exit 0
  fi
  if [ $# -eq 0 ]; then
    if [ "$shallow" = true ]; then
      echo "openapi-breaking-check: HEAD~1 is not available (shallow clone): nothing to compare; passing"
    else
      echo "openapi-breaking-check: HEAD has no parent (first commit): nothing to compare; passing"
    fi
    exit 0
  fi
  if [ "$shallow" = true ]; then
    echo "openapi-breaking-check: $base is not in this shallow clone (fetch more history, e.g. git fetch --deepen=50, or fetch that ref)" >&2
  else
    echo "openapi-breaking-check: $base does not name a commit" >&2
  fi
  exit 2
fi

if ! git cat-file -e "$base_sha:$doc" 2>/dev/null; then
  echo "openapi-breaking-check: $doc does not exist at $base ($(git rev-parse --short "$base_sha")): nothing to compare; passing"
  exit 0
fi

work="$(mktemp -d "${TMPDIR:-/tmp}/openapi-breaking.XXXXXX")"
trap 'rm -rf "$work"' EXIT
git show "$base_sha:$doc" >"$work/old.json"
if [ "${OPENAPI_BREAKING_WORKTREE:-0}" = 1 ]; then
  cp "$doc" "$work/new.json"
  new_label="$doc (working tree)"
  [ -f "$allow" ] && cp "$allow" "$work/allowed.txt"
else
  if ! git cat-file -e "HEAD:$doc" 2>/dev/null; then
    echo "openapi-breaking-check: $doc is not committed at HEAD but exists at $base: the whole v1 contract was removed" >&2
    exit 1
  fi
  git show "HEAD:$doc" >"$work/new.json"
  new_label="$doc at HEAD ($(git rev-parse --short HEAD))"
  git show "HEAD:$allow" >"$work/allowed.txt" 2>/dev/null || true
fi

node scripts/openapi-breaking-check.mjs "$work/old.json" "$work/new.json" --allow "$work/allowed.txt" --allow-label "$allow" \
  --old-label "$doc at $base ($(git rev-parse --short "$base_sha"))" --new-label "$new_label"
