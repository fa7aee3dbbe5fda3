"""Personal access tokens, signing out everywhere, and the account's audit log."""

from __future__ import annotations

from typing import Any

from flask import Response
from flask_jwt_extended import unset_jwt_cookies

from ...security import current_user
from ...services import audit, tokens
from ..common import Pagination
from ..decorators import authenticated, body, other_responses, paginated, query, response
from . import bp, service
from .schemas import AuditPage, TokenCreate, TokenCreated, TokenList, TokenOut

# No @token_scope on these routes: a personal access token can neither see nor make tokens.


@bp.post("/tokens")
@authenticated
@response(TokenCreated, 201, "Created; the token is shown only in this answer")
@body(TokenCreate)
def create_token(data: TokenCreate) -> Any:
    """Create a personal access token for a script (scopes, households, expiry)."""
    token, raw = tokens.create(current_user(), data.name, data.scopes, data.household_ids, data.expires_in_days)
    return {"token": raw, **{name: getattr(token, name) for name in TokenOut.model_fields}}


@bp.get("/tokens")
@authenticated
@response(TokenList)
def list_tokens() -> Any:
    """Your personal access tokens that still work, newest first (never the secret)."""
    return {"items": tokens.list_for(current_user())}


@bp.delete("/tokens/<int:token_id>")
@authenticated
@other_responses({404: "No such token"})
@response(None, 204, "Revoked: the token stops working at once")
def revoke_token(token_id: int) -> Any:
    """Revoke a personal access token."""
    tokens.revoke(current_user(), token_id)


@bp.post("/logout-all")
@authenticated
@response(None, 204, "Every session and every personal access token of the account ended")
def logout_everywhere() -> Any:
    """Sign out everywhere: every session (this one too) and every personal access token."""
    service.sign_out_everywhere(current_user())
    out = Response(status=204)
    unset_jwt_cookies(out)
    return out


@bp.get("/audit")
@authenticated
@query(Pagination)
@paginated(AuditPage)
def my_audit_log(query: Pagination) -> Any:
    """Your account's security events, newest first (kept for 365 days)."""
    return audit.page(query.page, query.per_page, user_id=current_user().id)
