#!/usr/bin/env bash
# Known vulnerabilities in the shipped dependencies: pip-audit over backend/requirements.lock,
# npm audit over the frontend's production dependencies (high severity and above).
#
# Exit status: 0 no known vulnerability, 1 vulnerabilities found, 2 no verdict because an
# advisory service could not be asked (it never passes silently).
set -uo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
status=0

echo "== Python: backend/requirements.lock"
(cd "$root/backend" && .venv/bin/pip-audit --requirement requirements.lock --no-deps --disable-pip \
  --strict --progress-spinner off --format columns) >"$work/pip.out" 2>"$work/pip.err"
pip_rc=$?
cat "$work/pip.out"
if [ "$pip_rc" -eq 0 ]; then
  echo "no known vulnerabilities"
elif grep -q -E "could not be audited|Connection|HTTPError|ServiceError" "$work/pip.err"; then
  grep -v -E "hash your pinned|pip-compile" "$work/pip.err" | tail -n 5 >&2
  echo "NO VERDICT: the Python advisory service could not be asked (PyPI's vulnerability data or OSV)." >&2
  status=2
else
  cat "$work/pip.err" >&2
  echo "VULNERABLE: see the Python packages above; upgrade them in backend/requirements*.in and run 'make lock'." >&2
  status=1
fi

echo "== JavaScript: frontend production dependencies"
(cd "$root/frontend" && npm audit --omit=dev --audit-level=high) >"$work/npm.out" 2>"$work/npm.err"
npm_rc=$?
grep -v "Unknown user config" "$work/npm.out"
if [ "$npm_rc" -eq 0 ]; then
  echo "no known high-severity vulnerabilities"
elif grep -q -E "audit endpoint returned an error|ENOTFOUND|ECONNREFUSED|ETIMEDOUT|EAI_AGAIN" "$work/npm.err"; then
  grep -v "Unknown user config" "$work/npm.err" | tail -n 3 >&2
  echo "NO VERDICT: the npm advisory endpoint could not be asked." >&2
  [ "$status" -eq 1 ] || status=2
else
  grep -v "Unknown user config" "$work/npm.err" >&2
  echo "VULNERABLE: see the npm packages above; 'npm audit fix' in frontend/, then run the tests." >&2
  status=1
fi

exit "$status"
