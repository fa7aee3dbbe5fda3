from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app
from sqlalchemy import text

from ..errors import envelope
from ..extensions import db
from .common import OutSchema
from .decorators import other_responses, public, response, tags

bp = Blueprint("service", __name__)


class Health(OutSchema):
    status: str


@bp.get("/health")
@public
@tags("service")
@response(Health)
def health() -> Any:
    """Liveness: the process answers."""
    return {"status": "ok"}


@bp.get("/health/ready")
@public
@tags("service")
@other_responses({503: "The database, the job queue's store (or Redis, when configured) does not answer"})
@response(Health)
def ready() -> Any:
    """Readiness: the database, the job queue's store (and Redis when configured) answer."""
    try:
        db.session.execute(text("SELECT 1"))
    except Exception:
        db.session.rollback()
        return envelope(503, "service_unavailable", "The database is unavailable.")
    redis_url = current_app.config.get("REDIS_URL")
    if redis_url:
        try:
            import redis

            redis.Redis.from_url(redis_url, socket_timeout=1, socket_connect_timeout=1).ping()
        except Exception:
            return envelope(503, "service_unavailable", "Redis is unavailable.")
    from ..jobs import queue_of

    if not queue_of().ping():
        return envelope(503, "service_unavailable", "The job queue's store is unavailable.")
    return {"status": "ok"}
