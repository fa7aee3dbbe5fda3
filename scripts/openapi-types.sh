#!/usr/bin/env bash
# Generate frontend/src/lib/api-types.ts from the API's OpenAPI document.
# Fields with a default are optional (--default-non-nullable false): a PATCH body may leave them out.
#   scripts/openapi-types.sh          write the file
#   scripts/openapi-types.sh --check  fail when the committed file differs from a fresh generation
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
target="$root/frontend/src/lib/api-types.ts"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

(cd "$root/backend" && APP_ENV=testing .venv/bin/flask --app wsgi openapi dump "$work/openapi.json")
(cd "$root/frontend" && node_modules/.bin/openapi-typescript "$work/openapi.json" --default-non-nullable false -o "$work/api-types.ts" >/dev/null)

if [ "${1:-}" = "--check" ]; then
  if ! diff -u "$target" "$work/api-types.ts" >"$work/diff"; then
    head -n 60 "$work/diff" >&2
    echo "frontend/src/lib/api-types.ts is out of date with the API: run 'make openapi' and commit it." >&2
    exit 1
  fi
  echo "API types match the OpenAPI document."
else
  cp "$work/api-types.ts" "$target"
  echo "Wrote frontend/src/lib/api-types.ts"
fi
