"""Typed settings, read from the environment once, chosen by APP_ENV."""

from __future__ import annotations

import json
import os
import secrets
import time
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

BACKEND_DIR = Path(__file__).resolve().parent.parent
DEFAULT_SQLITE_URL = f"sqlite:///{BACKEND_DIR / 'instance' / 'meterbook.db'}"
INSTANCE_DIR = BACKEND_DIR / "instance"
WS_MAX_MESSAGE_BYTES = 4096
# Fixed keys for the test suite only (APP_ENV=testing), so tokens made in one test process
# verify in another; development generates its own (see _instance_key).
TEST_SECRET = "testing-only-secret-key-never-used-elsewhere"
TEST_JWT_SECRET = "testing-only-jwt-secret-key-never-used-elsewhere"


def _instance_key(name: str, directory: Path | None = None) -> str:
    """A random key made on first use and kept in ``directory/name`` (mode 0600).

    Development runs need no configured secret, yet never sign with one published in the
    code: every installation has its own, stable across restarts and shared by processes."""
    directory = directory or INSTANCE_DIR
    path = directory / name
    directory.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        for _ in range(20):  # another process may have created it a moment ago and be writing
            key = path.read_text().strip()
            if len(key) >= 32:
                return key
            time.sleep(0.05)
        raise RuntimeError(f"{path} holds no usable key; delete it to make a new one") from None
    with os.fdopen(fd, "w") as handle:
        key = secrets.token_urlsafe(48)
        handle.write(key + "\n")
    return key


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=None, extra="ignore", case_sensitive=True)

    APP_ENV: Literal["development", "testing", "production"] = "development"
    SECRET_KEY: str | None = None
    JWT_SECRET_KEY: str | None = None
    JWT_ACCESS_TOKEN_EXPIRES: int = Field(default=900, gt=0)
    JWT_REFRESH_TOKEN_EXPIRES: int = Field(default=30 * 24 * 3600, gt=0)
    REFRESH_REUSE_GRACE_SECONDS: int = Field(default=30, ge=0, le=300)
    DATABASE_URL: str = DEFAULT_SQLITE_URL
    REDIS_URL: str | None = None
    # Sessions, users and memberships kept per process while the auth epoch stands
    # (services/authcache.py): auto = with REDIS_URL only; local = one process; off.
    AUTH_CACHE: Literal["auto", "local", "off"] = "auto"
    CORS_ORIGINS: Annotated[list[str], NoDecode] = ["http://localhost:3000"]
    FRONTEND_URL: str = "http://localhost:3000"
    REQUIRE_EMAIL_VERIFICATION: bool = True
    MAIL_SERVER: str | None = None
    MAIL_PORT: int = 25
    MAIL_USE_TLS: bool = False
    MAIL_USE_SSL: bool = False
    MAIL_USERNAME: str | None = None
    MAIL_PASSWORD: str | None = None
    MAIL_DEFAULT_SENDER: str = "Meterbook <no-reply@meterbook.local>"
    RATELIMIT_ENABLED: bool = True
    RATELIMIT_STORAGE_URI: str | None = None
    RATELIMIT_LOGIN: str = "10/minute"
    RATELIMIT_REGISTER: str = "5/hour"
    RATELIMIT_EMAIL: str = "5/hour"
    RATELIMIT_AUTHENTICATED: str = "600/minute"
    RATELIMIT_IMPORT_EXPORT: str = "10/minute;100/hour"
    TRUSTED_PROXIES: int = Field(default=0, ge=0, le=5)
    LOG_LEVEL: str = "INFO"
    LOG_FORMAT: Literal["json", "console"] = "console"
    WEBHOOK_ALLOW_HTTP: bool = False
    WEBHOOK_ALLOW_PRIVATE: bool = False
    WEBHOOK_TIMEOUT: float = Field(default=10.0, gt=0, le=60)
    # The job queue's store (docs/jobs.md): sqlite:///file, redis://host:port/db, memory://,
    # immediate://. Empty: REDIS_URL when set, else a SQLite file under backend/instance
    # (the test suite: memory://).
    JOBS_URL: str | None = None
    JOBS_WORKERS: int = Field(default=2, ge=1, le=64)
    JOBS_SWEEP_MINUTES: int = Field(default=60, ge=1, le=1440)
    # Attachments (PRODUCT §14): file://DIR (default backend/instance/uploads) or s3://bucket.
    STORAGE_URL: str | None = None
    S3_ENDPOINT_URL: str | None = None
    ATTACHMENT_QUOTA_MB: int = Field(default=500, ge=1)

    @field_validator("CORS_ORIGINS", mode="before")
    @classmethod
    def _split_origins(cls, value: object) -> object:
        if isinstance(value, str):
            stripped = value.strip()
            if stripped.startswith("["):
                return json.loads(stripped)  # a JSON list
            return [item.strip() for item in stripped.split(",") if item.strip()]
        return value

    @field_validator(
        "DATABASE_URL",
        "REDIS_URL",
        "MAIL_SERVER",
        "STORAGE_URL",
        "S3_ENDPOINT_URL",
        "RATELIMIT_STORAGE_URI",
        "JOBS_URL",
        "SECRET_KEY",
        "JWT_SECRET_KEY",
        mode="before",
    )
    @classmethod
    def _empty_is_none(cls, value: object) -> object:
        return None if value == "" else value

    @field_validator(
        "RATELIMIT_LOGIN", "RATELIMIT_REGISTER", "RATELIMIT_EMAIL", "RATELIMIT_AUTHENTICATED", "RATELIMIT_IMPORT_EXPORT"
    )
    @classmethod
    def _rate_limit(cls, value: str) -> str:
        from limits import parse_many

        try:
            parse_many(value)
        except ValueError:
            raise ValueError(f"{value!r} is not a rate limit such as '10/minute' or '5 per hour'") from None
        return value

    @field_validator("DATABASE_URL", mode="after")
    @classmethod
    def _normalise_db_url(cls, value: str | None) -> str:
        if not value:
            return DEFAULT_SQLITE_URL
        if value.startswith("postgres://"):
            return "postgresql://" + value[len("postgres://") :]
        return value

    @field_validator("JOBS_URL", mode="after")
    @classmethod
    def _jobs_url(cls, value: str | None) -> str | None:
        from .jobs.store import SCHEMES

        if value is not None and not value.startswith(SCHEMES):
            raise ValueError(f"JOBS_URL must start with one of {', '.join(SCHEMES)}")
        return value

    def jobs_url(self) -> str:
        if self.JOBS_URL:
            return self.JOBS_URL
        if self.APP_ENV == "testing":
            return "memory://"
        return self.REDIS_URL or f"sqlite:///{INSTANCE_DIR / 'jobs.db'}"

    @field_validator("STORAGE_URL", mode="after")
    @classmethod
    def _storage_url(cls, value: str | None) -> str | None:
        if value is not None and (not value.startswith(("file://", "s3://")) or value in ("file://", "s3://")):
            raise ValueError("STORAGE_URL must be file://DIRECTORY or s3://BUCKET")
        return value

    def check_production(self) -> None:
        """Refuse to run production on placeholder secrets or a wildcard origin."""
        if self.APP_ENV != "production":
            return
        problems = []
        for name in ("SECRET_KEY", "JWT_SECRET_KEY"):
            value = getattr(self, name)
            if value is None or len(value) < 32 or value.startswith("change-me") or value.startswith("testing-only"):
                problems.append(f"{name} must be set to a random value of at least 32 characters")
        if any(origin == "*" for origin in self.CORS_ORIGINS):
            problems.append("CORS_ORIGINS must list origins explicitly, not '*'")
        if problems:
            raise RuntimeError("Refusing to start in production: " + "; ".join(problems))

    def signing_keys(self) -> tuple[str, str]:
        """SECRET_KEY and JWT_SECRET_KEY: as configured, else the test keys or the instance's own."""
        if self.APP_ENV == "testing":
            return self.SECRET_KEY or TEST_SECRET, self.JWT_SECRET_KEY or TEST_JWT_SECRET
        secret = self.SECRET_KEY or _instance_key("secret_key")
        return secret, self.JWT_SECRET_KEY or _instance_key("jwt_secret_key")

    def flask_config(self) -> dict[str, object]:
        """Translate settings into the Flask/extension configuration keys."""
        secret_key, jwt_secret_key = self.signing_keys()
        storage = self.RATELIMIT_STORAGE_URI or self.REDIS_URL or "memory://"
        engine_options: dict[str, object] = {"pool_pre_ping": False}  # dbpool.py: pinged after idling
        if self.DATABASE_URL.startswith("postgresql"):
            engine_options.update(pool_size=10, max_overflow=20, pool_timeout=5)
        return {
            "ENV_NAME": self.APP_ENV,
            "TESTING": self.APP_ENV == "testing",
            "SECRET_KEY": secret_key,
            "SQLALCHEMY_DATABASE_URI": self.DATABASE_URL,
            "SQLALCHEMY_ENGINE_OPTIONS": engine_options,
            "SQLALCHEMY_TRACK_MODIFICATIONS": False,
            "MAX_CONTENT_LENGTH": 10 * 1024 * 1024,
            "MAX_JSON_BYTES": 1024 * 1024,
            # Every WebSocket message is capped: the auth message is a few hundred bytes and
            # nothing else a client sends means anything. simple-websocket counts a message's
            # bytes as its frames arrive and closes with 1009 past the cap, so nothing larger
            # is ever buffered (flask-sock passes these options to every socket).
            "SOCK_SERVER_OPTIONS": {"max_message_size": WS_MAX_MESSAGE_BYTES},
            "JWT_SECRET_KEY": jwt_secret_key,
            "JWT_ACCESS_TOKEN_EXPIRES": self.JWT_ACCESS_TOKEN_EXPIRES,
            "JWT_REFRESH_TOKEN_EXPIRES": self.JWT_REFRESH_TOKEN_EXPIRES,
            "REFRESH_REUSE_GRACE_SECONDS": self.REFRESH_REUSE_GRACE_SECONDS,
            "JWT_TOKEN_LOCATION": ["headers", "cookies", "json"],
            "JWT_REFRESH_COOKIE_PATH": "/api/auth",
            "JWT_REFRESH_COOKIE_NAME": "refresh_token",
            "JWT_COOKIE_CSRF_PROTECT": True,
            "JWT_CSRF_IN_COOKIES": True,
            "JWT_COOKIE_SAMESITE": "Lax",
            "JWT_COOKIE_SECURE": self.APP_ENV == "production",
            "JWT_SESSION_COOKIE": False,
            "JWT_JSON_KEY": "access_token",
            "JWT_REFRESH_JSON_KEY": "refresh_token",
            "REDIS_URL": self.REDIS_URL,
            "AUTH_CACHE": self.AUTH_CACHE,
            "CORS_ORIGINS": self.CORS_ORIGINS,
            "FRONTEND_URL": self.FRONTEND_URL.rstrip("/"),
            "REQUIRE_EMAIL_VERIFICATION": self.REQUIRE_EMAIL_VERIFICATION,
            "MAIL_SERVER": self.MAIL_SERVER,
            "MAIL_PORT": self.MAIL_PORT,
            "MAIL_USE_TLS": self.MAIL_USE_TLS,
            "MAIL_USE_SSL": self.MAIL_USE_SSL,
            "MAIL_USERNAME": self.MAIL_USERNAME,
            "MAIL_PASSWORD": self.MAIL_PASSWORD,
            "MAIL_DEFAULT_SENDER": self.MAIL_DEFAULT_SENDER,
            "MAIL_SUPPRESS_SEND": False,
            "RATELIMIT_ENABLED": self.RATELIMIT_ENABLED,
            "RATELIMIT_STORAGE_URI": storage,
            "RATELIMIT_HEADERS_ENABLED": True,
            "RATELIMIT_LOGIN": self.RATELIMIT_LOGIN,
            "RATELIMIT_REGISTER": self.RATELIMIT_REGISTER,
            "RATELIMIT_EMAIL": self.RATELIMIT_EMAIL,
            "RATELIMIT_AUTHENTICATED": self.RATELIMIT_AUTHENTICATED,
            "RATELIMIT_IMPORT_EXPORT": self.RATELIMIT_IMPORT_EXPORT,
            "TRUSTED_PROXIES": self.TRUSTED_PROXIES,
            "LOG_LEVEL": self.LOG_LEVEL,
            "LOG_FORMAT": self.LOG_FORMAT,
            "WEBHOOK_ALLOW_HTTP": self.WEBHOOK_ALLOW_HTTP,
            "WEBHOOK_ALLOW_PRIVATE": self.WEBHOOK_ALLOW_PRIVATE,
            "WEBHOOK_TIMEOUT": self.WEBHOOK_TIMEOUT,
            "JOBS_URL": self.jobs_url(),
            "JOBS_WORKERS": self.JOBS_WORKERS,
            "JOBS_SWEEP_MINUTES": self.JOBS_SWEEP_MINUTES,
            "STORAGE_URL": self.STORAGE_URL or f"file://{INSTANCE_DIR / 'uploads'}",
            "S3_ENDPOINT_URL": self.S3_ENDPOINT_URL,
            "ATTACHMENT_QUOTA_MB": self.ATTACHMENT_QUOTA_MB,
        }


def load_config(overrides: dict[str, object] | None = None) -> dict[str, object]:
    """Read settings from the environment, apply overrides, check them, return Flask config."""
    settings = Settings(**(overrides or {}))  # type: ignore[arg-type]
    settings.check_production()
    return settings.flask_config()
