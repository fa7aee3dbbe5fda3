# ruff: noqa: S603, S608
"""Analytics benchmark: a throwaway PostgreSQL with millions of records, the API under gunicorn,
load from `hey` at concurrency 16. Writes the "Analytics" section of docs/benchmarks.md.

Two servers on the same database: "uncached" (an answer cache that keeps nothing: every
analytics answer computed) and "cached" (the production setup: REDIS_URL set, a redis-server
beside it). Analytics rows are measured on both; the others on the cached one.

Scale and duration come from the environment:
  BENCH_RECORDS   records of the large user, and again spread over 99 others (default 1000000)
  BENCH_DURATION  seconds per measured endpoint (default 10)
  BENCH_PAIRED    seconds of /health measured just before each row, its ratios' paired
                  reference (default 3)
  BENCH_WORKERS / BENCH_THREADS  gunicorn gthread workers and threads (default 2 / 8)
  BENCH_BACKEND   another backend directory to serve (an older checkout, for "before" flame
                  graphs; the document is then not written, the table only printed)
  BENCH_PROFILE   a directory: py-spy flame graphs (SVG) of the floor, a summary and a record
                  create under load, written there as <name>.svg (default: none)
"""

from __future__ import annotations

import json
import os
import platform
import re
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
BACKEND = ROOT / "backend"
sys.path.insert(0, str(BACKEND))
SERVED = Path(os.environ.get("BENCH_BACKEND") or BACKEND)

from tests import pg  # noqa: E402

RECORDS = int(os.environ.get("BENCH_RECORDS", "1000000"))
DURATION = int(os.environ.get("BENCH_DURATION", "10"))
WORKERS = int(os.environ.get("BENCH_WORKERS", "2"))
THREADS = int(os.environ.get("BENCH_THREADS", "8"))
PROFILE = os.environ.get("BENCH_PROFILE")
# Every row is preceded by this many seconds of /health on the same server: its ratios are to
# that paired /health, measured under the same background load, as well as to the run's best.
PAIRED = int(os.environ.get("BENCH_PAIRED", "3"))
CONCURRENCY = 16
OTHER_USERS = 99
SMALL_RECORDS = 1000
PASSWORD = "benchmark password"
DOC = ROOT / "docs" / "benchmarks.md"
VENV_BIN = BACKEND / ".venv" / "bin"


def log(message: str) -> None:
    print(f"[bench {datetime.now(UTC):%H:%M:%S}] {message}", flush=True)


def load(cluster: pg.Cluster, db: str, today: date) -> dict[str, Any]:
    """Users, meters and records by bulk SQL; then the rollups by the maintenance command."""
    sys.path.insert(0, str(BACKEND))
    from app.services.passwords import hash_password

    first = today - timedelta(days=3 * 365)
    days = (today - first).days + 1
    password_hash = hash_password(PASSWORD)
    per_other = RECORDS // OTHER_USERS
    sql = f"""
    INSERT INTO users (email, name, password_hash, role, is_active, email_verified_at, failed_login_count,
                       currency, timezone, created_at, updated_at)
    SELECT CASE WHEN n = 0 THEN 'large@bench.test' WHEN n = 1 THEN 'small@bench.test'
                ELSE 'other' || n || '@bench.test' END,
           'Bench ' || n, '{password_hash}', 'user', true, now(), 0, 'USD', 'UTC', now(), now()
    FROM generate_series(0, {OTHER_USERS + 1}) AS n;
    -- Each user's household "Home" takes the user's id, as migration 0005 does.
    INSERT INTO households (id, name, timezone, currency, billing_day, created_at, updated_at)
    SELECT id, 'Home', timezone, currency, 1, now(), now() FROM users;
    SELECT setval(pg_get_serial_sequence('households', 'id'), (SELECT max(id) FROM households));
    INSERT INTO memberships (household_id, user_id, role, joined_at) SELECT id, id, 'owner', now() FROM users;
    UPDATE users SET default_household_id = id;
    INSERT INTO meters (household_id, name, type, unit, archived, created_at, updated_at)
    SELECT u.id, m.name, m.type, m.unit, false, now(), now()
    FROM users u CROSS JOIN (VALUES ('Electricity', 'electricity', 'kWh', 1), ('Water', 'water', 'm3', 2),
                                    ('Gas', 'gas', 'm3', 3)) AS m(name, type, unit, ord)
    ORDER BY u.id, m.ord;
    CREATE TEMP TABLE plan AS
    SELECT id AS user_id,
           CASE WHEN email = 'large@bench.test' THEN {RECORDS}
                WHEN email = 'small@bench.test' THEN {SMALL_RECORDS} ELSE {per_other} END AS n,
           (SELECT array_agg(m.id ORDER BY m.id) FROM meters m WHERE m.household_id = users.id) AS meter_ids
    FROM users;
    INSERT INTO records (household_id, created_by, meter_id, date, amount_milli, cost_cents, note, created_at,
                         updated_at)
    SELECT p.user_id, p.user_id, p.meter_ids[1 + i % 3], DATE '{first.isoformat()}' + (i::bigint * 7919 % {days})::int,
           (random() * 20000)::bigint, CASE WHEN i % 4 = 0 THEN NULL ELSE (random() * 500)::bigint END,
           CASE WHEN i % 10 = 0 THEN 'reading ' || i END, now(), now()
    FROM plan p CROSS JOIN LATERAL generate_series(0, p.n - 1) AS i;
    -- Three tariff versions a year apart on every meter of the measured households, with standing
    -- charges and tax: summary, time series and billing then price every day (PRODUCT §11).
    INSERT INTO tariff_versions (household_id, meter_id, valid_from, unit_price_micro, standing_charge_micro,
                                 tax_pct_milli, created_at)
    SELECT m.household_id, m.id, DATE '{first.isoformat()}' + v.offset_days, v.unit_price, v.standing, 5000, now()
    FROM meters m JOIN users u ON u.id = m.household_id
    CROSS JOIN (VALUES (0, 250000, 400000), (365, 281234, 450000), (730, 302500, 512345))
        AS v(offset_days, unit_price, standing)
    WHERE u.email IN ('large@bench.test', 'small@bench.test');
    """
    started = time.monotonic()
    psql(cluster, db, sql)
    loaded = time.monotonic() - started
    log(f"records inserted in {loaded:.0f} s")
    env = app_env(cluster.url(db))
    started = time.monotonic()
    out = subprocess.run(
        [str(VENV_BIN / "flask"), "--app", "wsgi", "analytics", "rebuild"],
        cwd=BACKEND,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    rebuilt = time.monotonic() - started
    log(f"{out} in {rebuilt:.0f} s")
    psql(cluster, db, "VACUUM ANALYZE")
    psql(cluster, db, "CHECKPOINT")  # the load's dirty pages written now, not during the first rows
    counts = psql(
        cluster,
        db,
        "SELECT (SELECT count(*) FROM records), (SELECT count(*) FROM daily_rollups), "
        "(SELECT count(*) FROM records r JOIN users u ON u.id = r.household_id WHERE u.email = 'large@bench.test')",
    ).split("|")
    return {
        "first": first,
        "records": int(counts[0]),
        "rollups": int(counts[1]),
        "large": int(counts[2]),
        "load_s": loaded,
        "rebuild_s": rebuilt,
    }


def psql(cluster: pg.Cluster, db: str, sql: str) -> str:
    try:
        return cluster.psql(sql, db)
    except subprocess.CalledProcessError as exc:
        raise SystemExit(f"psql failed: {exc.stderr}") from None


def app_env(database_url: str) -> dict[str, str]:
    return {
        **os.environ,
        "APP_ENV": "production",
        "SECRET_KEY": "bench-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
        "JWT_SECRET_KEY": "bench-jwt-secret-key-0123456789-abcdefghijklmnopqrstuv",
        "JWT_ACCESS_TOKEN_EXPIRES": "7200",
        "DATABASE_URL": database_url,
        "CORS_ORIGINS": '["http://localhost:3000"]',
        "RATELIMIT_ENABLED": "false",
        "JOBS_URL": "memory://",
        "LOG_LEVEL": "WARNING",
    }


def request_json(url: str, body: dict[str, Any] | None = None, token: str | None = None) -> Any:
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(url, data=data, method="POST" if body is not None else "GET")  # noqa: S310
    req.add_header("Content-Type", "application/json")
    if token:
        req.add_header("Authorization", f"Bearer {token}")
    with urllib.request.urlopen(req, timeout=60) as resp:  # noqa: S310
        return json.loads(resp.read())


def hey(
    url: str,
    token: str | None = None,
    body: dict[str, Any] | None = None,
    concurrency: int = CONCURRENCY,
    duration: int = DURATION,
) -> dict[str, Any]:
    args = ["hey", "-z", f"{duration}s", "-c", str(concurrency), "-t", "60"]
    if token:
        args += ["-H", f"Authorization: Bearer {token}"]
    if body is not None:
        args += ["-m", "POST", "-T", "application/json", "-d", json.dumps(body)]
    out = subprocess.run([*args, url], check=True, capture_output=True, text=True).stdout

    def seconds(pct: str) -> float:
        match = re.search(rf"{pct}% in ([0-9.]+) secs", out)
        return float(match.group(1)) * 1000 if match else float("nan")

    rps = float(re.search(r"Requests/sec:\s+([0-9.]+)", out).group(1))  # type: ignore[union-attr]
    statuses = dict(re.findall(r"\[(\d{3})\]\s+(\d+) responses", out))
    ok = sum(int(n) for code, n in statuses.items() if code.startswith("2"))
    bad = sum(int(n) for code, n in statuses.items() if not code.startswith("2"))
    errors = out.split("Error distribution:")[1].strip() if "Error distribution:" in out else ""
    return {"p50": seconds("50"), "p95": seconds("95"), "rps": rps, "ok": ok, "bad": bad, "errors": errors[:200]}


def hey_each(url: str, writers: list[tuple[str, dict[str, Any]]]) -> dict[str, Any]:
    """One ``hey -c 1`` per (token, body), all at once for DURATION seconds: concurrency
    len(writers), each writer in its own household. req/s and counts are summed; p50 is the
    median of the writers' p50s, p95 the worst p95."""
    results: list[dict[str, Any]] = []
    threads = []
    for token, body in writers:

        def run(token: str = token, body: dict[str, Any] = body) -> None:
            results.append(hey(url, token, body, concurrency=1))

        threads.append(threading.Thread(target=run))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return {
        "p50": statistics.median(r["p50"] for r in results),
        "p95": max(r["p95"] for r in results),
        "rps": sum(r["rps"] for r in results),
        "ok": sum(r["ok"] for r in results),
        "bad": sum(r["bad"] for r in results),
        "errors": " ".join(r["errors"] for r in results if r["errors"])[:200],
    }


def start_server(env: dict[str, str], app_name: str, stoppers: list[Any]) -> str:
    """Start the API under gunicorn (gthread); its base URL once /health answers."""
    port = pg.free_port()
    server = subprocess.Popen(
        [
            str(VENV_BIN / "gunicorn"),
            "-k",
            "gthread",
            "-w",
            str(WORKERS),
            "--threads",
            str(THREADS),
            "--no-control-socket",
            "--pythonpath",
            str(Path(__file__).resolve().parent),
            "-b",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            app_name,
        ],
        cwd=SERVED,
        env=env,
    )

    def stop() -> None:
        server.terminate()
        server.wait(timeout=30)

    stoppers.append(stop)
    SERVERS[f"http://127.0.0.1:{port}"] = server.pid
    base = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            request_json(f"{base}/health")
            break
        except OSError:
            time.sleep(0.2)
    return base


SERVERS: dict[str, int] = {}


def profile(base: str, name: str) -> subprocess.Popen[bytes] | None:
    """py-spy sampling every worker of the server at ``base`` for the next DURATION seconds."""
    if not PROFILE:
        return None
    out = Path(PROFILE) / f"{name}.svg"
    out.parent.mkdir(parents=True, exist_ok=True)
    return subprocess.Popen(
        [str(VENV_BIN / "py-spy"), "record", "--subprocesses", "--nonblocking", "-r", "200"]
        + ["-d", str(DURATION), "-o", str(out), "-p", str(SERVERS[base])],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def psql_time(cluster: pg.Cluster, db: str, sql: str, runs: int = 5) -> float:
    """Median server-side time in ms of a query over warm runs, as psql's \\timing reports it."""
    script = "\\timing on\n" + "\n".join([sql.rstrip(";") + ";"] * runs) + "\n"
    out = subprocess.run(
        [str(pg.PG_BIN / "psql"), "-h", "127.0.0.1", "-p", str(cluster.port), "-U", "postgres", "-d", db, "-q"]
        + ["-v", "ON_ERROR_STOP=1", "-o", "/dev/null"],
        input=script,
        capture_output=True,
        text=True,
        check=False,
    )
    if out.returncode != 0:
        raise SystemExit(f"psql failed on {sql!r}: {out.stderr}")
    times = [float(t) for t in re.findall(r"Time: ([0-9.]+) ms", out.stdout + out.stderr)]
    if len(times) != runs:
        raise SystemExit(f"expected {runs} timings for {sql!r}, got {out.stdout!r} {out.stderr!r}")
    return statistics.median(times[1:])


def main() -> None:
    today = datetime.now(UTC).date()
    cluster = pg.start_cluster()
    stoppers: list[Any] = []
    try:
        cluster.psql("ALTER SYSTEM SET shared_buffers = '256MB'")
        cluster.psql("ALTER SYSTEM SET work_mem = '16MB'")
        cluster.stop("fast")
        cluster.start()
        url = cluster.create_database("meterbook_bench")
        db = "meterbook_bench"
        env = app_env(url)
        subprocess.run([str(VENV_BIN / "flask"), "--app", "wsgi", "db", "upgrade"], cwd=BACKEND, env=env, check=True)
        log(f"loading {RECORDS:,} + {RECORDS:,} records")
        facts = load(cluster, db, today)

        from tests.redis_server import RedisServer

        redis = RedisServer()
        redis.start()
        stoppers.append(redis.stop)
        bases = {
            # both with Redis (the auth epoch, the live updates); "uncached" keeps no answer
            "uncached": start_server({**env, "REDIS_URL": redis.url}, "uncached_wsgi:app", stoppers),
            "cached": start_server({**env, "REDIS_URL": redis.url}, "wsgi:app", stoppers),
        }
        base = bases["cached"]
        tokens = {
            who: request_json(f"{base}/api/auth/login", {"email": f"{who}@bench.test", "password": PASSWORD})[
                "access_token"
            ]
            for who in ("large", "small")
        }
        meter = request_json(f"{base}/api/meters", token=tokens["large"])["items"][0]["id"]

        first = facts["first"].isoformat()
        month_start = today.replace(day=1).isoformat()
        three_years_ago = (today - timedelta(days=3 * 365)).replace(day=1).isoformat()
        ninety = (today - timedelta(days=89)).isoformat()
        t = today.isoformat()
        analytics = [
            ("summary, current month", f"/api/analytics/summary?date_from={month_start}&date_to={t}"),
            ("summary, whole range (3 y)", f"/api/analytics/summary?date_from={first}&date_to={t}"),
            (
                "timeseries, month over 3 y",
                f"/api/analytics/timeseries?granularity=month&date_from={three_years_ago}&date_to={t}",
            ),
            ("timeseries, day over 90 d", f"/api/analytics/timeseries?granularity=day&date_from={ninety}&date_to={t}"),
            ("billing, current period", "/api/analytics/billing"),
            ("billing, by meter", "/api/analytics/billing?group_by=meter"),
        ]
        lists = [("records list, page 1", "/api/records?page=1"), ("records list, page 2000", "/api/records?page=2000")]
        results: list[tuple[str, str, dict[str, Any]]] = []
        cached: dict[tuple[str, str], dict[str, Any]] = {}

        def measure(
            label: str, who: str, path: str, body: dict[str, Any] | None = None, server: str = "cached", flame: str = ""
        ) -> None:
            log(f"{label} ({who}, {server})")
            token = tokens[who] if who != "-" else None
            paired = hey(bases[server] + "/health", duration=PAIRED) if path != "/health" else None
            profiler = profile(bases[server], flame) if flame else None
            r = hey(bases[server] + path, token, body)
            r["paired"] = paired or r
            if profiler is not None:
                profiler.wait(timeout=DURATION + 60)
            if server == "uncached" or label.startswith(("/health", "GET /api/meters", "record create")):
                results.append((label, who, r))
            else:
                cached[(label, who)] = r

        # Warm both servers up first (their connection pools, the auth cache, lazy imports): the
        # first row of a cold server otherwise pays for them.
        log("warming up")
        for server_base in bases.values():
            hey(server_base + "/api/meters", tokens["large"], duration=3)
            hey(server_base + "/health", duration=2)
        measure("/health", "-", "/health")
        # One meter: the cheapest authenticated answer that is not cached (one query), since the
        # meters list is a cached page like the records list.
        measure("GET /api/meters/{id} (authenticated floor)", "large", f"/api/meters/{meter}", flame="meters")
        for label, path in analytics:
            flame = "summary-uncached" if label == "summary, current month" else ""
            measure(label, "large", path, server="uncached", flame=flame)
            measure(label, "large", path, flame="summary-cached" if flame else "")
        for label, path in lists:
            measure(label, "large", path, server="uncached")
            measure(label, "large", path)
        measure(
            "record create",
            "large",
            "/api/records",
            {"meter_id": meter, "date": t, "amount": 1.5, "cost": 0.3, "note": "bench"},
            flame="record-create",
        )
        # The same load spread over households, one writer each: writers of one household take
        # turns (its lock), writers of different households do not.
        writers = []
        for n in range(2, 2 + CONCURRENCY):
            token = request_json(f"{base}/api/auth/login", {"email": f"other{n}@bench.test", "password": PASSWORD})
            own = request_json(f"{base}/api/meters", token=token["access_token"])["items"][0]["id"]
            writers.append((token["access_token"], {"meter_id": own, "date": t, "amount": 1.5, "cost": 0.3}))
        log(f"record create, {CONCURRENCY} households (one writer each)")
        paired = hey(base + "/health", duration=PAIRED)
        spread = hey_each(base + "/api/records", writers)
        spread["paired"] = paired
        results.append((f"record create, {CONCURRENCY} households (one writer each)", "-", spread))
        for label, path in analytics:
            measure(label, "small", path, server="uncached")
            measure(label, "small", path)
        measure(lists[0][0], "small", lists[0][1], server="uncached")
        measure(lists[0][0], "small", lists[0][1])
        measure("/health (again)", "-", "/health")

        large_id = cluster.psql("SELECT id FROM users WHERE email = 'large@bench.test'", db)
        raw = [
            (
                "summary, current month",
                f"SELECT meter_id, date >= '{month_start}', sum(amount_milli), count(*), sum(cost_cents), "
                f"min(amount_milli), max(amount_milli) FROM records WHERE household_id = {large_id} "
                f"AND date BETWEEN DATE '{month_start}' - ('{t}'::date - '{month_start}'::date + 1) AND '{t}' "
                f"GROUP BY 1, 2",
            ),
            (
                "summary, whole range (3 y)",
                f"SELECT meter_id, date >= '{first}', sum(amount_milli), count(*), sum(cost_cents), "
                f"min(amount_milli), max(amount_milli) FROM records WHERE household_id = {large_id} "
                f"AND date BETWEEN DATE '{first}' - ('{t}'::date - '{first}'::date + 1) AND '{t}' GROUP BY 1, 2",
            ),
            (
                "timeseries, month over 3 y",
                f"SELECT meter_id, date_trunc('month', date::timestamp)::date, sum(amount_milli), count(*), "
                f"sum(cost_cents) FROM records WHERE household_id = {large_id} AND date BETWEEN '{three_years_ago}' "
                f"AND '{t}' GROUP BY 1, 2",
            ),
            (
                "timeseries, day over 90 d",
                f"SELECT meter_id, date, sum(amount_milli), count(*), sum(cost_cents) FROM records "
                f"WHERE household_id = {large_id} AND date BETWEEN '{ninety}' AND '{t}' GROUP BY 1, 2",
            ),
        ]
        raw_times = []
        for label, sql in raw:
            rollup_sql = (
                sql.replace("FROM records", "FROM daily_rollups")
                .replace("sum(amount_milli)", "sum(total_milli)")
                .replace("count(*)", "sum(count)")
                .replace("min(amount_milli)", "min(min_milli)")
                .replace("max(amount_milli)", "max(max_milli)")
            )
            raw_times.append((label, psql_time(cluster, db, sql), psql_time(cluster, db, rollup_sql)))
            log(f"raw SQL {label}: {raw_times[-1][1]:.1f} ms over records, {raw_times[-1][2]:.2f} ms over rollups")
        write_doc(facts, results, cached, raw_times, today)
        if PROFILE:
            scrub(Path(PROFILE))
    finally:
        for stop in reversed(stoppers):
            stop()
        cluster.destroy()


def scrub(directory: Path) -> None:
    """The flame graphs name the commands profiled: their paths are given from the checkout."""
    for svg in directory.glob("*.svg"):
        svg.write_text(svg.read_text().replace(f"{ROOT}/", "").replace(f"{SERVED.parent}/", ""))


def machine() -> str:
    mem_kb = int(next(line.split()[1] for line in Path("/proc/meminfo").read_text().splitlines() if "MemTotal" in line))
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if "model name" in line
        ),
        platform.processor(),
    )
    pg_version = subprocess.run(
        [str(pg.PG_BIN / "postgres"), "--version"], check=False, capture_output=True, text=True
    ).stdout
    load_avg = os.getloadavg()
    return (
        f"{os.cpu_count()} CPUs ({cpu}), {mem_kb / 1024 / 1024:.1f} GiB RAM, {platform.system()} {platform.release()}, "
        f"Python {platform.python_version()}, {pg_version.strip()}; load average at the end "
        f"{load_avg[0]:.2f} / {load_avg[1]:.2f} / {load_avg[2]:.2f}"
    )


def _paired_p50(r: dict[str, Any]) -> float:
    """A row's p50 over the p50 of the /health measured just before it."""
    return float(r["p50"] / r["paired"]["p50"])


def _paired_rps(r: dict[str, Any]) -> float:
    """A row's req/s as a share of the /health measured just before it."""
    return float(r["rps"] / r["paired"]["rps"])


def write_doc(
    facts: dict[str, Any],
    results: list[tuple[str, str, dict[str, Any]]],
    cached: dict[tuple[str, str], dict[str, Any]],
    raw_times: list[tuple[str, float, float]],
    today: date,
) -> None:
    health = [r for label, _, r in results if label.startswith("/health")]
    health_p50 = min(r["p50"] for r in health)
    health_rps = max(r["rps"] for r in health)
    lines = [
        "## Analytics",
        "",
        f"Run {datetime.now(UTC):%Y-%m-%d %H:%M} UTC with `make bench-analytics`. Machine: {machine()}.",
        "",
        f"Data: {facts['records']:,} records ({facts['large']:,} for the large user over 3 years "
        f"({facts['first']} .. {today}) on 3 meters, each meter with 3 tariff versions (standing charge and tax: "
        f"every cost figure priced), {SMALL_RECORDS:,} for a small user over the same years, "
        f"the rest over {OTHER_USERS} other users), {facts['rollups']:,} daily rollup rows. Bulk insert "
        f"{facts['load_s']:.0f} s, `flask analytics rebuild` {facts['rebuild_s']:.0f} s. API under gunicorn "
        f"gthread, {WORKERS} workers x {THREADS} threads, PostgreSQL 15 on the same machine; load from `hey`, "
        f"concurrency {CONCURRENCY}, {DURATION} s per row, all on the same cores.",
        "",
        "Analytics and list rows: uncached (every answer computed) and cached (the answer cache in Redis, "
        "and the answers each process served lately; no writes during the row, so all but the first requests "
        "hit). Both servers have Redis for the epochs: sessions, memberships and households come from the "
        "per-process caches.",
        "",
        f"Ratios: to the run's best `/health` (p50 {health_p50:.1f} ms, {health_rps:.0f} req/s), and in brackets "
        f"to the `/health` measured on the same server for {PAIRED} s just before the row (same background load).",
        "",
        "| Endpoint | User | p50 ms | p95 ms | req/s | 2xx | non-2xx | p50 / /health p50 | req/s / /health "
        "| cached p50 ms | cached req/s | cached p50 / /health p50 |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for label, who, r in results:
        user = {"-": "-", "large": f"{facts['large']:,} records", "small": f"{SMALL_RECORDS:,} records"}[who]
        c = cached.get((label, who))
        extra = (
            f" {c['p50']:.1f} | {c['rps']:.0f} | {c['p50'] / health_p50:.2f}x ({_paired_p50(c):.2f}x) |"
            if c
            else " - | - | - |"
        )
        lines.append(
            f"| {label} | {user} | {r['p50']:.1f} | {r['p95']:.1f} | {r['rps']:.0f} | {r['ok'] + (c or {}).get('ok', 0)}"
            f" | {r['bad'] + (c or {}).get('bad', 0)} | "
            f"{r['p50'] / health_p50:.2f}x ({_paired_p50(r):.2f}x) | {r['rps'] / health_rps:.0%} "
            f"({_paired_rps(r):.0%}) |{extra}"
        )
    by_key = {(label, who): r for label, who, r in results}
    lines += [
        "",
        "Large user vs small user (p50 ratio, analytics):",
        "",
        "| Endpoint | large p50 ms | small p50 ms | ratio |",
        "|---|---:|---:|---:|",
    ]
    for label in dict.fromkeys(label for label, who, _ in results if who == "small"):
        large, small = by_key[(label, "large")], by_key[(label, "small")]
        lines.append(f"| {label} | {large['p50']:.1f} | {small['p50']:.1f} | {large['p50'] / small['p50']:.2f}x |")
    lines += [
        "",
        "The same aggregates as raw SQL in `psql` (median of 4 warm runs, server time), over the records "
        "table versus over the rollups the API reads:",
        "",
        "| Aggregate (large user) | over records ms | over daily_rollups ms |",
        "|---|---:|---:|",
    ]
    for label, records_ms, rollups_ms in raw_times:
        lines.append(f"| {label} | {records_ms:.1f} | {rollups_ms:.2f} |")
    analytics = [label for label, who, _ in results if who == "small" and label.startswith(("summary", "time", "billing"))]
    small_ratios = [by_key[(label, "large")]["p50"] / by_key[(label, "small")]["p50"] for label in analytics]
    uncached_rows = [by_key[(label, "large")] for label in analytics]
    cached_rows = [cached[(label, "large")] for label in analytics]
    analytics_ratio = max(r["p50"] for r in uncached_rows) / health_p50
    cached_ratio = max(r["p50"] for r in cached_rows) / health_p50
    analytics_paired = max(_paired_p50(r) for r in uncached_rows)
    cached_paired = max(_paired_p50(r) for r in cached_rows)
    page_one, page_one_cached = by_key[("records list, page 1", "large")], cached[("records list, page 1", "large")]
    list_ratio, list_paired = page_one["p50"] / health_p50, _paired_p50(page_one)
    list_cached, list_cached_paired = page_one_cached["p50"] / health_p50, _paired_p50(page_one_cached)
    create = by_key[("record create", "large")]
    spread = by_key[(f"record create, {CONCURRENCY} households (one writer each)", "-")]
    create_share, create_paired = create["rps"] / health_rps, _paired_rps(create)
    spread_share, spread_paired = spread["rps"] / health_rps, _paired_rps(spread)

    def verdict(ok: bool) -> str:
        return "met" if ok else "not met"

    lines += [
        "",
        "Targets, against the run's best /health (the better of its two runs) and against the /health paired "
        "with each row; the verdict takes the paired figure, the worst row deciding:",
        "",
        "| Target | Measured (run's best /health) | Measured (paired /health) | |",
        "|---|---:|---:|---|",
        f"| analytics p50 uncached within 3x of /health p50 (worst analytics row, large user) | {analytics_ratio:.2f}x | "
        f"{analytics_paired:.2f}x | {verdict(analytics_paired <= 3)} |",
        f"| analytics p50 cached within 2x of /health p50 (worst analytics row, large user) | {cached_ratio:.2f}x | "
        f"{cached_paired:.2f}x | {verdict(cached_paired <= 2)} |",
        "| analytics p50, 1M-record user within 1.5x of the 1,000-record user (worst row) | "
        f"{max(small_ratios):.2f}x | - | {verdict(max(small_ratios) <= 1.5)} |",
        f"| records list page 1 p50 within 3x of /health (large user), cached | {list_cached:.2f}x | "
        f"{list_cached_paired:.2f}x | {verdict(list_cached_paired <= 3)} |",
        f"| records list page 1 p50 within 3x of /health (large user), uncached | {list_ratio:.2f}x | "
        f"{list_paired:.2f}x | {verdict(list_paired <= 3)} |",
        f"| record create at least 40% of /health req/s (one household) | {create_share:.0%} | "
        f"{create_paired:.0%} | {verdict(create_paired >= 0.4)} |",
        f"| record create at least 40% of /health req/s ({CONCURRENCY} households) | {spread_share:.0%} | "
        f"{spread_paired:.0%} | {verdict(spread_paired >= 0.4)} |",
    ]
    errors = [f"- {label} ({who}): {r['errors']}" for label, who, r in results if r["errors"]]
    if errors:
        lines += ["", "Client errors reported by hey:", "", *errors]
    section = "\n".join(lines) + "\n"
    text = DOC.read_text() if DOC.exists() else "# Benchmarks\n"
    # Replace the generated part only; hand-written "### Notes" below it stay.
    pattern = re.compile(r"## Analytics\n.*?(?=\n### Notes|\n## |\Z)", re.S)
    if pattern.search(text):
        text = pattern.sub(lambda _: section.rstrip("\n") + "\n", text, count=1)
    else:
        text = text.rstrip("\n") + "\n\n" + section
    if SERVED == BACKEND:
        DOC.write_text(text)
    print(section)


if __name__ == "__main__":
    main()
