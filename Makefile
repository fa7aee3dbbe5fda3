# Meterbook: the front door. `make dev` runs it, `make test` proves it.
SHELL := /bin/bash
.DEFAULT_GOAL := help

BACKEND := backend
VENV := $(BACKEND)/.venv
PY := $(VENV)/bin/python
FLASK := cd $(BACKEND) && .venv/bin/flask --app wsgi
PORT ?= 5000
# Where the development servers listen: this machine only, unless HOST=0.0.0.0 says otherwise.
HOST ?= 127.0.0.1
PYTEST_ARGS ?=
FRONTEND := frontend
WEB_PORT ?= 3000

export NEXT_TELEMETRY_DISABLED := 1
export NEXT_IGNORE_INCORRECT_LOCKFILE := 1
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD := 1

.PHONY: help
help: ## List the targets
	@grep -hE '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*?## "} {printf "  %-16s %s\n", $$1, $$2}'

# --- installation ----------------------------------------------------------------------

$(VENV)/.installed: $(BACKEND)/requirements.lock $(BACKEND)/requirements-dev.lock
	@test -x $(PY) || python3.11 -m venv $(VENV) 2>/dev/null || python3 -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check -r $(BACKEND)/requirements.lock -r $(BACKEND)/requirements-dev.lock
	@touch $@

.PHONY: install
install: $(VENV)/.installed ## Install the backend's locked dependencies into backend/.venv

# npm ci (the lockfile lists every platform's optional binaries, exactly as a fresh npm install
# leaves it) whenever node_modules is missing or package.json / package-lock.json changed.
$(FRONTEND)/node_modules/.installed: $(FRONTEND)/package.json $(FRONTEND)/package-lock.json
	cd $(FRONTEND) && npm ci --no-audit --no-fund
	@scripts/check-lockfile-clean.sh
	@touch $@

.PHONY: web-install
web-install: $(FRONTEND)/node_modules/.installed ## Install the SPA's locked dependencies into frontend/node_modules

.PHONY: system-deps
system-deps: ## Install the system packages the tests use (PostgreSQL 15, redis-server, Chromium) when missing
	@scripts/ensure-system.sh

# --- running ---------------------------------------------------------------------------

.PHONY: dev
dev: install web-install ## Run the API (:5000), the SPA (:3000) and one job worker on 127.0.0.1 (HOST=0.0.0.0 to share); Ctrl-C stops all
	@HOST=$(HOST) scripts/dev.sh

.PHONY: web
web: web-install ## Run the SPA alone (next dev): make web WEB_PORT=3000
	cd $(FRONTEND) && exec node node_modules/next/dist/bin/next dev -p $(WEB_PORT)

.PHONY: api
api: install db-upgrade ## Run the API alone in the foreground on 127.0.0.1: make api PORT=5000 [HOST=0.0.0.0]
	$(FLASK) run --host $(HOST) --port $(PORT)

.PHONY: worker
worker: install db-upgrade ## Run the job worker in the foreground with the app's configuration (JOBS_URL, JOBS_WORKERS)
	$(FLASK) jobs worker

.PHONY: seed
seed: install db-upgrade ## Create the demo account with three years of readings (prints its credentials)
	$(FLASK) seed demo

# --- database --------------------------------------------------------------------------

.PHONY: db-upgrade
db-upgrade: install ## Apply the migrations to DATABASE_URL (default: SQLite under backend/instance)
	$(FLASK) db upgrade

.PHONY: db-migrate
db-migrate: install ## Generate a migration from model changes: make db-migrate m="what changed"
	$(FLASK) db migrate -m "$(m)"

# --- quality ---------------------------------------------------------------------------

.PHONY: test
test: test-backend test-frontend ## Run every test suite (installs what is missing)

.PHONY: test-backend
test-backend: install system-deps lint ## Backend tests on SQLite, then on a throwaway PostgreSQL
	cd $(BACKEND) && .venv/bin/python -m pytest -p no:cacheprovider -n 2 --db=sqlite $(PYTEST_ARGS)
	cd $(BACKEND) && .venv/bin/python -m pytest -p no:cacheprovider -n 2 --db=postgres $(PYTEST_ARGS)

.PHONY: fuzz
fuzz: install ## Longer schema-driven fuzzing (FUZZ_EXAMPLES per operation, default 300), plus: schema-valid data is accepted
	cd $(BACKEND) && FUZZ_EXAMPLES=$${FUZZ_EXAMPLES:-300} .venv/bin/python -m pytest -p no:cacheprovider tests/test_fuzz.py

.PHONY: bench-live
bench-live: install system-deps ## Live updates: 1,000 sockets on one process, then two processes + Redis
	$(PY) scripts/bench/ws_bench.py --processes 1
	$(PY) scripts/bench/ws_bench.py --processes 2

.PHONY: audit
audit: install ## Known vulnerabilities in the shipped dependencies (pip-audit, npm audit); needs the advisory services
	scripts/audit.sh

.PHONY: test-frontend
test-frontend: install web-install system-deps ## SPA: lockfile, prettier, eslint, tsc, jest, API-types drift check, next build, browser end-to-end tests
	@scripts/check-lockfile-clean.sh
	cd $(FRONTEND) && node_modules/.bin/prettier --check .
	cd $(FRONTEND) && node_modules/.bin/eslint --max-warnings 0 .
	cd $(FRONTEND) && node_modules/.bin/tsc --noEmit
	cd $(FRONTEND) && node_modules/.bin/jest --ci
	scripts/openapi-types.sh --check
	cd $(FRONTEND) && node node_modules/next/dist/bin/next build
	@test -s $(FRONTEND)/public/sw.js || { echo "next build wrote no service worker (public/sw.js)" >&2; exit 1; }
	cd $(FRONTEND) && node scripts/check-bundle.mjs
	cd $(FRONTEND) && node_modules/.bin/playwright test

.PHONY: e2e
e2e: install web-install system-deps ## Browser end-to-end tests only (against the current next build)
	cd $(FRONTEND) && node_modules/.bin/playwright test

.PHONY: screenshots
screenshots: install web-install system-deps ## Rebuild the SPA and save the docs' screenshots (docs/screenshots/) from the browser tests
	cd $(FRONTEND) && node node_modules/next/dist/bin/next build
	cd $(FRONTEND) && E2E_SCREENSHOTS=1 node_modules/.bin/playwright test

.PHONY: openapi
openapi: install web-install ## Regenerate frontend/src/lib/api-types.ts from the API's OpenAPI document
	scripts/openapi-types.sh

.PHONY: lint
lint: install ## ruff (lint + format check) and mypy
	cd $(BACKEND) && .venv/bin/ruff check app tests migrations && .venv/bin/ruff format --check app tests migrations
	cd $(BACKEND) && .venv/bin/mypy

.PHONY: fmt
fmt: install ## Format and auto-fix the backend
	cd $(BACKEND) && .venv/bin/ruff check --fix app tests migrations && .venv/bin/ruff format app tests migrations

.PHONY: lock
lock: install ## Re-pin backend dependencies from requirements*.in
	cd $(BACKEND) && .venv/bin/pip-compile -q --strip-extras --no-header --no-emit-index-url --no-emit-find-links -o requirements.lock requirements.in
	cd $(BACKEND) && .venv/bin/pip-compile -q --strip-extras --no-header --no-emit-index-url --no-emit-find-links -o requirements-dev.lock requirements-dev.in

# --- benchmarks ------------------------------------------------------------------------

.PHONY: bench-install
bench-install: install system-deps ## Install the benchmark tools (hey) when missing
	@scripts/bench/ensure-tools.sh

.PHONY: bench-analytics
bench-analytics: bench-install ## Analytics at 2M records on PostgreSQL under gunicorn; writes docs/benchmarks.md
	$(PY) scripts/bench/analytics.py


.PHONY: bench
bench: bench-analytics bench-import bench-readings bench-live bench-soak ## Run every benchmark (results go in docs/benchmarks.md)

.PHONY: bench-soak
bench-soak: bench-install ## Mixed traffic at 80% of the measured maximum for SOAK_SECONDS (default 600)
	$(PY) scripts/bench/soak.py

.PHONY: bench-attachments
bench-attachments: install ## Peak RSS of the API (gunicorn) while 10 parallel 5 MiB photo uploads run [UPLOADS=n ROUNDS=n]
	$(PY) scripts/bench/attachments_bench.py

.PHONY: bench-jobs
bench-jobs: install system-deps ## The job queue on its SQLite and Redis stores: enqueue cost, enqueue-to-start latency, no-op jobs/s [JOBS=n LATENCY_SAMPLES=n]
	cd $(BACKEND) && .venv/bin/python ../scripts/bench/jobs_bench.py

.PHONY: bench-readings
bench-readings: install system-deps ## Reading create on a meter with 100,000 readings vs record create and /health; 1,000,000-row readings import vs psql \copy: make bench-readings [EXISTING=n ROWS=n SECONDS=s]
	cd $(BACKEND) && .venv/bin/python ../scripts/bench/readings_bench.py

.PHONY: bench-import
bench-import: install system-deps ## Import/export 1,000,000 records through the API vs psql \copy: make bench-import [ROWS=n]
	cd $(BACKEND) && .venv/bin/python ../scripts/bench/import_bench.py

.PHONY: clean
clean: ## Remove the virtualenv, caches and the development database
	rm -rf $(VENV) $(BACKEND)/instance .pytest_cache $(BACKEND)/.mypy_cache $(BACKEND)/.ruff_cache
	rm -rf $(FRONTEND)/node_modules $(FRONTEND)/.next $(FRONTEND)/test-results $(FRONTEND)/playwright-report
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
