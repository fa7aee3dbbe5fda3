#!/usr/bin/env bash
# Fail when installing the SPA's dependencies changed the tracked package files: the committed
# package-lock.json must be exactly what a fresh `npm install` leaves (every platform's optional
# binaries included), so that `npm ci` works and a new clone stays clean after `make dev`/`make test`.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
if ! git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  exit 0 # an exported tarball: nothing to compare with
fi
changed="$(git status --porcelain -- frontend/package.json frontend/package-lock.json)"
if [ -n "$changed" ]; then
  echo "$changed" >&2
  echo "frontend/package.json or package-lock.json differs from the committed one after the install." >&2
  echo "Commit the lockfile exactly as a fresh 'npm install' (without node_modules) leaves it." >&2
  exit 1
fi
