"""Request ids, one log line per request (JSON or console), security headers, Prometheus metrics."""

from __future__ import annotations

import json
import logging
import re
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from flask import Flask, Response, g, has_request_context, request
from prometheus_client import CollectorRegistry, Counter, Histogram, disable_created_metrics, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

_REQUEST_ID = re.compile(r"^[A-Za-z0-9._\-]{1,128}$")
# C0 and C1 controls, DEL and the Unicode line separators: anything that could end a log line
# or drive a terminal.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")
access_log = logging.getLogger("meterbook.access")

# Attributes every LogRecord has; anything else on a record is an "extra" field worth emitting.
_STANDARD = set(logging.LogRecord("x", 0, "x", 0, "x", None, None).__dict__) | {"message", "asctime", "request_id"}


def printable(value: object, limit: int = 1000) -> str:
    """``value`` as text that stays on its log line: control characters become escapes."""
    text = str(value)[:limit]
    return _CONTROL.sub(lambda match: match.group().encode("unicode_escape").decode("ascii"), text)


class EscapeFilter(logging.Filter):
    """Escape control characters in the values a record interpolates (console format).

    A request's path, headers or fields logged with ``%s`` cannot forge a line of their own.
    Records logged with ``extra={"verbatim": True}`` (the development e-mail dump, whose text
    the application wrote) keep their newlines."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "verbatim", False):
            return True
        if isinstance(record.args, tuple):
            record.args = tuple(printable(arg, 10_000) if isinstance(arg, str) else arg for arg in record.args)
        elif isinstance(record.args, dict):
            record.args = {k: printable(v, 10_000) if isinstance(v, str) else v for k, v in record.args.items()}
        return True


def current_request_id() -> str | None:
    return g.get("request_id") if has_request_context() else None


class RequestIdFilter(logging.Filter):
    """Stamp every record made while a request is handled with that request's id."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = current_request_id() or "-"
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "timestamp": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", "-"),
        }
        for key, value in record.__dict__.items():
            if key not in _STANDARD and not key.startswith("_"):
                entry[key] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str)


class ConsoleFormatter(logging.Formatter):
    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)-7s [%(request_id)s] %(name)s: %(message)s")


def configure_logging(app: Flask) -> None:
    """Route the app's loggers through one handler with the chosen format (idempotent)."""
    level = str(app.config.get("LOG_LEVEL", "INFO")).upper()
    handler = logging.StreamHandler()
    handler.addFilter(RequestIdFilter())
    if app.config.get("LOG_FORMAT") == "json":
        handler.setFormatter(JsonFormatter())  # json.dumps escapes every control character itself
    else:
        handler.addFilter(EscapeFilter())
        handler.setFormatter(ConsoleFormatter())
    handler.set_name("meterbook")
    root = logging.getLogger()
    for existing in list(root.handlers):
        if existing.get_name() == "meterbook":
            root.removeHandler(existing)
    root.addHandler(handler)
    root.setLevel(level)
    for name in ("app", "meterbook"):
        logging.getLogger(name).setLevel(level)
    logging.getLogger("werkzeug").setLevel(logging.WARNING)


class _RuntimeCollector(Collector):
    """Read at scrape time: WebSocket connections, outbox depth, database pool, job queue."""

    def __init__(self, app: Flask) -> None:
        self.app = app

    def collect(self) -> Iterator[Metric]:
        broker = self.app.extensions.get("meterbook.broker")
        count = getattr(broker, "local_connections", None) or getattr(broker, "subscriber_count", None)
        yield GaugeMetricFamily(
            "meterbook_websocket_connections",
            "Open WebSocket connections in this process",
            value=count() if count else 0,
        )
        with self.app.app_context():
            from .extensions import db

            pool = db.engine.pool
            checked_out = getattr(pool, "checkedout", None)
            size = getattr(pool, "size", None)
            yield GaugeMetricFamily(
                "meterbook_db_pool_checked_out",
                "Database connections in use",
                value=checked_out() if checked_out else 0,
            )
            yield GaugeMetricFamily(
                "meterbook_db_pool_size", "Database connection pool size", value=size() if callable(size) else 0
            )
            try:
                from .services.mail import pending_count

                depth = pending_count()
                db.session.remove()
            except Exception:
                depth = -1
            yield GaugeMetricFamily("meterbook_outbox_pending", "E-mails waiting to be sent (-1: unknown)", value=depth)
        yield from _job_metrics(self.app)


def _job_metrics(app: Flask) -> Iterator[Metric]:
    """The queue's depth and every job's outcomes, read from the job store: the worker counts
    there, so any API process reports the figures of all workers (-1: the store is down)."""
    queue = app.extensions.get("meterbook.jobs")
    if queue is None:
        return
    try:
        waiting, scheduled = queue.depth()
        counters = queue.counters()
    except Exception:
        waiting = scheduled = -1
        counters = {}
    depth = GaugeMetricFamily("meterbook_jobs_queued", "Jobs in the queue (-1: store down)", labels=["state"])
    depth.add_metric(["waiting"], waiting)
    depth.add_metric(["scheduled"], scheduled)
    yield depth
    help_text = {
        "succeeded": "Job runs that finished",
        "failed": "Job runs that failed with no retry left",
        "retried": "Job runs that failed and were scheduled again (backoff)",
        "interrupted": "Job runs stopped by a worker shutdown and given back to the queue",
    }
    for outcome, text in help_text.items():
        family = CounterMetricFamily(f"meterbook_jobs_{outcome}", text, labels=["job"])
        for (kind, name), value in counters.items():
            if kind == outcome:
                family.add_metric([name], value)
        yield family
    failures = app.extensions.get("meterbook.jobs.enqueue_failures")
    if failures is not None:
        yield from failures.collect()


def init_observability(app: Flask) -> None:
    disable_created_metrics()  # type: ignore[no-untyped-call]
    registry = CollectorRegistry(auto_describe=True)
    requests_total = Counter(
        "meterbook_http_requests_total", "HTTP requests", ["method", "endpoint", "status"], registry=registry
    )
    latency = Histogram(
        "meterbook_http_request_duration_seconds",
        "HTTP request latency",
        ["method", "endpoint"],
        registry=registry,
        buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
    )
    registry.register(_RuntimeCollector(app))
    app.extensions["meterbook.metrics"] = registry
    production = app.config.get("ENV_NAME") == "production"

    @app.before_request
    def _start() -> None:
        incoming = request.headers.get("X-Request-ID", "")
        g.request_id = incoming if _REQUEST_ID.match(incoming) else uuid.uuid4().hex
        g.request_started = time.perf_counter()

    @app.after_request
    def _finish(response: Response) -> Response:
        response.headers["X-Request-ID"] = g.get("request_id", "-")
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "no-referrer")
        if production:
            response.headers.setdefault("Strict-Transport-Security", "max-age=63072000; includeSubDomains")
        if request.path.startswith("/api/"):
            response.headers.setdefault("Cache-Control", "no-store")
            response.vary.add("Origin")  # CORS headers depend on it: no cache may mix answers
        _relative_location(response)
        duration = time.perf_counter() - g.get("request_started", time.perf_counter())
        endpoint = request.url_rule.rule if request.url_rule is not None else "unmatched"
        requests_total.labels(request.method, endpoint, str(response.status_code)).inc()
        latency.labels(request.method, endpoint).observe(duration)
        if not access_log.isEnabledFor(logging.INFO):
            return response  # nothing to log: the line's fields are not even built
        # Escaped here too, so the JSON fields match the console line (the query string is
        # not logged: it may carry what does not belong in logs).
        method, path = printable(request.method, 20), printable(request.path)
        access_log.info(
            "%s %s %s %.1fms",
            method,
            path,
            response.status_code,
            duration * 1000,
            extra={
                "method": method,
                "path": path,
                "status": response.status_code,
                "duration_ms": round(duration * 1000, 2),
                "user_id": _user_id(),
                "remote_addr": request.remote_addr,
                "user_agent": printable(request.user_agent.string, 300),
            },
        )
        return response

    @app.get("/metrics")
    def metrics() -> Response:
        return Response(generate_latest(registry), mimetype="text/plain; version=0.0.4")


def _relative_location(response: Response) -> None:
    """Redirects of our own (Werkzeug's to add a trailing slash) name a path, not a URL built
    from the Host header, which the client chose."""
    location = response.headers.get("Location")
    if location is None:
        return
    target = urlsplit(location)
    if target.netloc and target.netloc == request.host:
        response.headers["Location"] = target.path + (f"?{target.query}" if target.query else "")


def _user_id() -> int | None:
    """The authenticated user's id from the verified token's claims (no database access)."""
    claims = g.get("_jwt_extended_jwt")
    subject = claims.get("sub") if isinstance(claims, dict) else None
    return int(subject) if isinstance(subject, str) and subject.isdigit() else None
