"""JWT wiring: identities, per-request user and session checks, and errors in the envelope."""

from __future__ import annotations

from collections.abc import Callable
from hmac import compare_digest
from typing import Any, Literal, TypeVar

import jwt as pyjwt
from flask import Blueprint, Flask, Response, current_app, g, request
from flask_jwt_extended import current_user as _current_user
from flask_jwt_extended import view_decorators
from flask_jwt_extended.config import config as jwt_config
from flask_jwt_extended.exceptions import CSRFError, JWTDecodeError
from jwt import ExpiredSignatureError, InvalidTokenError
from sqlalchemy import select

from .errors import Forbidden, envelope
from .extensions import db, jwt
from .models import AccessToken, TokenFamily, User
from .services import authcache, tokens
from .services.verified import VerifiedTokens

_verified = VerifiedTokens()

TokenScope = Literal["read", "write"]
F = TypeVar("F", bound=Callable[..., Any])


def current_user() -> User:
    """The signed-in user: of the access token, or of the personal access token."""
    user = g.get("meterbook_token_user")
    if user is not None:
        return user  # type: ignore[no-any-return]
    return _current_user  # type: ignore[no-any-return]


def personal_token_used() -> bool:
    return g.get("meterbook_token_user") is not None


def current_personal_token() -> AccessToken | None:
    """The personal access token of this request, if one was used."""
    return g.get("meterbook_token")  # type: ignore[no-any-return]


def declared_scope(endpoint: str, method: str) -> TokenScope | None:
    """The scope a personal access token needs for this route, or None when tokens are refused.

    The route's own ``@token_scope`` wins; else a blueprint that ``allow_tokens`` answers
    ``read`` for GET and ``write`` for the other methods; else tokens are refused."""
    info = getattr(current_app.view_functions.get(endpoint), "__openapi__", None) or {}
    if "token_scope" in info:
        return info["token_scope"]  # type: ignore[no-any-return]
    blueprint = current_app.blueprints.get(endpoint.rpartition(".")[0]) if "." in endpoint else None
    if blueprint is not None and getattr(blueprint, "token_scopes", False):
        return "read" if method in ("GET", "HEAD") else "write"
    return None


def _bearer() -> str | None:
    header = request.headers.get("Authorization", "")
    kind, _, value = header.partition(" ")
    return value.strip() if kind.lower() == "bearer" else None


def bears_personal_token() -> bool:
    """Whether this request's bearer value has a personal access token's form (checked by
    ``check_personal_token``)."""
    raw = _bearer()
    return raw is not None and tokens.looks_like_token(raw)


def check_personal_token() -> None:
    """Before every request: a personal access token must be valid (else 401) and the route
    must allow it with one of its scopes (else 403), whatever the route otherwise needs."""
    raw = _bearer()
    if raw is None or not tokens.looks_like_token(raw) or request.endpoint is None:
        return
    token, user = tokens.authenticate(raw)
    needed = declared_scope(request.endpoint, request.method)
    if needed is None:
        raise Forbidden("Personal access tokens cannot be used here; sign in instead.")
    if needed not in token.scopes:
        raise Forbidden(f"This token lacks the {needed} scope.")
    g.meterbook_token = token
    g.meterbook_token_user = user


def session_user(data: dict[str, Any]) -> User | None:
    """The active user a token's claims name, or None (the check every authenticated request makes)."""
    try:
        user_id = int(data["sub"])
    except (KeyError, TypeError, ValueError):
        return None
    user = db.session.get(User, user_id)
    if user is None or not user.is_active:
        return None
    return user


def session_revoked(data: dict[str, Any]) -> bool:
    """True when the token's session (refresh-token family) is unknown, revoked or another user's."""
    family_id = data.get("fam")
    if not isinstance(family_id, str):
        return True
    family = db.session.get(TokenFamily, family_id)
    return family is None or family.revoked_at is not None or str(family.user_id) != str(data.get("sub"))


REQUIRED_CLAIMS = ("sub", "exp", "iat", "jti", "type", "fam")


def decode_once(encoded_token: str, csrf_value: str | None = None, allow_expired: bool = False) -> dict[str, Any]:
    """Verify and decode a token in one pass (the library decodes it twice: once unverified to
    choose the key, once verified; ours is one fixed key).

    Every claim we rely on must be present (``require``: checked before the expiry, so a token
    without them is invalid, not expired) and ``type`` must be ours: the library would fill
    in a missing ``type`` (as "access") and ``jti`` and accept a token without ``exp``."""
    options: dict[str, Any] = {
        "verify_aud": jwt_config.decode_audience is not None,
        "verify_sub": jwt_config.verify_sub,
        "require": list(REQUIRED_CLAIMS),
    }
    if allow_expired:
        options["verify_exp"] = False
    secret = str(current_app.config["JWT_SECRET_KEY"])
    verified = None if allow_expired else _verified.get(secret, encoded_token, jwt_config.leeway)
    header: dict[str, Any] = {}
    try:
        if verified is None:
            whole = pyjwt.decode_complete(
                encoded_token,
                secret,
                algorithms=jwt_config.decode_algorithms,
                audience=jwt_config.decode_audience,
                issuer=jwt_config.decode_issuer,
                leeway=jwt_config.leeway,
                options=options,  # type: ignore[arg-type]
            )
            header = whole["header"]
        data: dict[str, Any] = verified if verified is not None else whole["payload"]
    except ExpiredSignatureError as exc:
        exc.jwt_header = pyjwt.get_unverified_header(encoded_token)  # type: ignore[attr-defined]
        exc.jwt_data = decode_once(encoded_token, csrf_value, allow_expired=True)  # type: ignore[attr-defined]
        raise
    if data.get("type") not in ("access", "refresh"):
        raise InvalidTokenError("The token lacks a required claim.")
    data.setdefault("fresh", False)
    if verified is None and not allow_expired:
        _verified.keep(secret, encoded_token, data, header)
    if csrf_value:
        if "csrf" not in data:
            raise JWTDecodeError("Missing claim: csrf")
        if not compare_digest(str(data["csrf"]), csrf_value):
            raise CSRFError("CSRF double submit tokens do not match")
    return data


def _check_request_session(data: dict[str, Any]) -> bool:
    """The session and its user, checked on every request: True when revoked.

    From the per-process cache when the auth epoch has not moved since the session was last
    read (``services/authcache.py``), else one query for both (the user found is kept for the
    user lookup that follows). The epoch is read before the database, never after."""
    family_id = data.get("fam")
    if not isinstance(family_id, str):
        return True
    cache = authcache.current()
    epochs = cache.epoch.read() if cache is not None else None
    epoch = g.meterbook_auth_epoch = epochs.auth if epochs is not None else None
    g.meterbook_data_epoch = epochs.data if epochs is not None else None
    if cache is not None and epoch is not None:
        cached = cache.session_user(family_id, epoch)
        if cached is not None and str(cached.id) == str(data.get("sub")):
            g.meterbook_session_user = db.session.merge(cached, load=False)
            return False
    row = db.session.execute(
        select(TokenFamily.revoked_at, User)
        .join(User, User.id == TokenFamily.user_id)
        .where(TokenFamily.id == family_id)
    ).first()
    if row is None or row.revoked_at is not None:
        return True
    if str(row.User.id) != str(data.get("sub")):
        return True  # a session is only ever valid for the user it was opened for
    if cache is not None and epoch is not None and row.User.is_active:
        cache.keep_session(family_id, epoch, row.User)
    g.meterbook_session_user = row.User
    return False


def unverified_headers(encoded_token: str) -> dict[str, Any]:
    """A token's header, as kept when it was verified (the library parses it again after
    ``decode_once``, to hand to callbacks), else parsed now."""
    known = _verified.header(str(current_app.config["JWT_SECRET_KEY"]), encoded_token)
    return known if known is not None else pyjwt.get_unverified_header(encoded_token)


def register_jwt(app: Flask) -> None:
    jwt._decode_jwt_from_config = decode_once  # type: ignore[method-assign]
    view_decorators.get_unverified_jwt_headers = unverified_headers  # type: ignore[attr-defined]
    app.before_request(check_personal_token)

    @jwt.user_identity_loader
    def _identity(user: User | int | str) -> str:
        return str(user.id if isinstance(user, User) else user)

    @jwt.user_lookup_loader
    def _lookup(_header: dict[str, Any], data: dict[str, Any]) -> User | None:
        user = g.pop("meterbook_session_user", None)
        if user is not None and str(user.id) == str(data.get("sub")):
            return user if user.is_active else None
        return session_user(data)

    @jwt.token_in_blocklist_loader
    def _revoked(_header: dict[str, Any], data: dict[str, Any]) -> bool:
        return _check_request_session(data)

    @jwt.expired_token_loader
    def _expired(_header: dict[str, Any], _data: dict[str, Any]) -> Response:
        return envelope(401, "token_expired", "The token has expired.")

    @jwt.revoked_token_loader
    def _revoked_answer(_header: dict[str, Any], _data: dict[str, Any]) -> Response:
        return envelope(401, "token_revoked", "The token has been revoked.")

    @jwt.invalid_token_loader
    def _invalid(_reason: str) -> Response:
        return envelope(401, "unauthorized", "The token is invalid.")

    @jwt.unauthorized_loader
    def _missing(reason: str) -> Response:
        if "CSRF" in reason:
            return envelope(401, "unauthorized", "The CSRF token is missing or does not match.")
        return envelope(401, "unauthorized", "Authentication is required.")

    @jwt.user_lookup_error_loader
    def _lookup_failed(_header: dict[str, Any], _data: dict[str, Any]) -> Response:
        return envelope(401, "unauthorized", "The account no longer exists or has been deactivated.")


def token_scope(scope: TokenScope | None) -> Callable[[F], F]:
    """Declare whether a personal access token may call this route, and with which scope
    (``read`` or ``write``); ``None`` refuses tokens even in a blueprint that allows them.

    One line under the route decorator: ``@token_scope("read")``. A route without a
    declaration (here or by ``allow_tokens`` on its blueprint) refuses tokens with 403."""

    def decorator(func: F) -> F:
        spec = dict(getattr(func, "__openapi__", {}))
        spec["token_scope"] = scope
        func.__openapi__ = spec  # type: ignore[attr-defined]
        return func

    return decorator


def allow_tokens(blueprint: Blueprint) -> None:
    """Let personal access tokens call every route of ``blueprint``: GETs with the ``read``
    scope, every other method with ``write`` (a route's own ``@token_scope`` wins)."""
    blueprint.token_scopes = True  # type: ignore[attr-defined]
