#!/usr/bin/env bash
# Run the API (:5000), the SPA (:3000) and one job worker on the embedded defaults: SQLite (the
# database and the job queue's store, both under backend/instance), in-process broker,
# in-memory limits, console e-mail. The servers listen on 127.0.0.1 unless HOST says otherwise
# (HOST=0.0.0.0 to reach them from another device). Ctrl-C stops all three.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
api_port="${PORT:-5000}"
web_port="${WEB_PORT:-3000}"
host="${HOST:-127.0.0.1}"

export APP_ENV="${APP_ENV:-development}"
export FLASK_DEBUG="${FLASK_DEBUG:-1}"
export FRONTEND_URL="${FRONTEND_URL:-http://localhost:${web_port}}"
export CORS_ORIGINS="${CORS_ORIGINS:-[\"http://localhost:${web_port}\"]}"
export NEXT_PUBLIC_API_URL="${NEXT_PUBLIC_API_URL:-http://localhost:${api_port}}"
export NEXT_PUBLIC_WS_URL="${NEXT_PUBLIC_WS_URL:-ws://localhost:${api_port}/ws}"
export NEXT_TELEMETRY_DISABLED=1

(cd "$root/backend" && .venv/bin/flask --app wsgi db upgrade)

pids=()
stop() {
  trap - INT TERM EXIT
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap stop INT TERM EXIT

cd "$root/backend"
.venv/bin/flask --app wsgi run --host "$host" --port "$api_port" &
pids+=($!)
.venv/bin/flask --app wsgi jobs worker --workers 1 &
pids+=($!)
cd "$root/frontend"
node node_modules/next/dist/bin/next dev -H "$host" -p "$web_port" &
pids+=($!)

echo "API: http://localhost:${api_port}  (Swagger UI at /apidocs)"
echo "SPA: http://localhost:${web_port}"
echo "Jobs: one worker (flask jobs worker), its queue in backend/instance/jobs.db"
# Stop everything as soon as any one exits.
wait -n
