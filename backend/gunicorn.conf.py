"""Gunicorn settings for production: HTTP and many WebSockets in the same worker processes.

The worker class was chosen by measurement (docs/live-updates.md, docs/benchmarks.md):
``gthread``, where every open WebSocket holds one pool thread for its lifetime, so a worker
serves at most GUNICORN_THREADS sockets and HTTP requests together: size it above the
expected sockets per worker. Threads are started on demand, so a large pool costs nothing
until used. GUNICORN_WORKER_CLASS=gevent is the measured alternative (no thread cap).
"""

import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:5000")
workers = int(os.environ.get("GUNICORN_WORKERS", "2"))
worker_class = os.environ.get("GUNICORN_WORKER_CLASS", "gthread")
threads = int(os.environ.get("GUNICORN_THREADS", "1000"))  # gthread: sockets + concurrent HTTP requests
# gthread: a worker whose threads are all busy stops accepting, so the next connection goes
# to another worker instead of queueing behind long-lived sockets
worker_connections = int(
    os.environ.get("GUNICORN_WORKER_CONNECTIONS", str(threads) if worker_class == "gthread" else "4000")
)
timeout = 60
graceful_timeout = 20
keepalive = 5
# Room above the app's own limit (8 KiB a header, app/errors.py), so oversized headers up to
# this size are answered by the app in the JSON envelope rather than by gunicorn's HTML page.
limit_request_field_size = 16 * 1024
accesslog = None
control_socket_disable = True


def post_fork(server, worker):  # type: ignore[no-untyped-def]
    """Under gevent, psycopg2 must yield to the hub while it waits on PostgreSQL."""
    if worker_class == "gevent":
        from psycogreen.gevent import patch_psycopg

        patch_psycopg()


def when_ready(server):  # type: ignore[no-untyped-def]
    if workers > 1 and not os.environ.get("REDIS_URL"):
        server.log.warning(
            "%d workers without REDIS_URL: live-update events reach only the sockets of the worker "
            "that handled the write; set REDIS_URL (or run one worker)",
            workers,
        )
