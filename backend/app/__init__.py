"""Meterbook API: the application factory."""

from __future__ import annotations

from typing import Any

from flask import Flask
from sqlalchemy import event
from sqlalchemy.engine import Engine

from .config import load_config
from .extensions import cors, db, jwt, mail, migrate, sock

__version__ = "0.1.0"


def create_app(overrides: dict[str, Any] | None = None) -> Flask:
    """Build the app from the environment; ``overrides`` are settings (tests) or Flask keys."""
    app = Flask(__name__, instance_relative_config=True)
    overrides = dict(overrides or {})
    flask_only = {key: overrides.pop(key) for key in list(overrides) if key not in _settings_fields()}
    app.config.update(load_config(overrides))
    app.config.update(flask_only)
    app.json.sort_keys = False  # type: ignore[attr-defined]
    if app.config["TRUSTED_PROXIES"]:
        from werkzeug.middleware.proxy_fix import ProxyFix

        hops = int(app.config["TRUSTED_PROXIES"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)  # type: ignore[method-assign]

    configure_logging(app)
    register_extensions(app)
    register_blueprints(app)
    register_errorhandlers(app)
    register_commands(app)
    register_openapi(app)
    return app


def _settings_fields() -> set[str]:
    from .config import Settings

    return set(Settings.model_fields)


def configure_logging(app: Flask) -> None:
    from .observability import configure_logging as _configure

    _configure(app)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=5000")
        cursor.close()
        # SQLite's lower() folds ASCII only; searches that ignore case use this one ("É" -> "é").
        dbapi_connection.create_function("unicode_lower", 1, _unicode_lower, deterministic=True)


def _unicode_lower(value: str | None) -> str | None:
    return None if value is None else value.lower()


def register_extensions(app: Flask) -> None:
    from .dbpool import init_pool_checks, init_read_requests
    from .jobs import init_jobs
    from .observability import init_observability
    from .ratelimit import init_ratelimit
    from .security import bears_personal_token, register_jwt
    from .services.authcache import init_authcache
    from .services.cache import init_cache
    from .services.etag import init_etags
    from .services.events import init_events
    from .services.versions import init_versions
    from .services.webhooks_delivery import init_webhooks

    uri = str(app.config["SQLALCHEMY_DATABASE_URI"])
    if uri.startswith("sqlite:///") and ":memory:" not in uri:
        from pathlib import Path

        Path(uri.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    if not event.contains(Engine, "connect", _sqlite_pragmas):
        event.listen(Engine, "connect", _sqlite_pragmas)

    db.init_app(app)
    init_pool_checks()
    init_read_requests(app, db, bears_personal_token)
    init_versions()
    migrate.init_app(app, db, directory=str(_migrations_dir()))
    jwt.init_app(app)
    register_jwt(app)
    init_authcache(app)
    mail.init_app(app)
    cors.init_app(
        app,
        resources={r"/api/*": {"origins": app.config["CORS_ORIGINS"]}},
        supports_credentials=True,
        expose_headers=[
            "X-Request-ID",
            "Retry-After",
            "Content-Disposition",
            "X-RateLimit-Limit",
            "X-RateLimit-Remaining",
            "X-RateLimit-Reset",
        ],
    )
    init_ratelimit(app)
    sock.init_app(app)
    init_events(app)
    init_webhooks(app)
    init_jobs(app)
    init_cache(app)
    init_etags(app)
    init_observability(app)


def _migrations_dir() -> Any:
    from pathlib import Path

    return Path(__file__).resolve().parent.parent / "migrations"


def register_blueprints(app: Flask) -> None:
    from .api import register_blueprints as _register

    _register(app)


def register_errorhandlers(app: Flask) -> None:
    from .errors import register_errorhandlers as _register

    _register(app)


def register_commands(app: Flask) -> None:
    from .cli import register_commands as _register

    _register(app)


def register_openapi(app: Flask) -> None:
    from flasgger import Swagger

    from .openapi import build_spec

    spec = build_spec(app, title="Meterbook API", version=__version__)
    app.extensions["meterbook.openapi"] = spec
    Swagger(
        app,
        template=spec,
        config={
            "openapi": "3.0.3",
            "headers": [],
            "specs": [{"endpoint": "apispec", "route": "/apispec.json", "rule_filter": lambda rule: False}],
            "static_url_path": "/flasgger_static",
            "swagger_ui": False,  # flasgger bundles Swagger UI 3.28: the page is ours (apidocs.py)
            "title": "Meterbook API",
        },
        merge=False,
    )
    from .apidocs import bp as apidocs_bp

    app.register_blueprint(apidocs_bp)
