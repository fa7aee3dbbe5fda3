#!/usr/bin/env bash
# Run the API on the embedded defaults: SQLite, in-process broker, in-memory limits, console e-mail.
set -euo pipefail
cd "$(dirname "$0")/../backend"

export APP_ENV="${APP_ENV:-development}"
export FLASK_DEBUG="${FLASK_DEBUG:-1}"
.venv/bin/flask --app wsgi db upgrade
echo "API:     http://localhost:${PORT:-5000}  (Swagger UI at /apidocs)"
exec .venv/bin/flask --app wsgi run --host 0.0.0.0 --port "${PORT:-5000}"
