from __future__ import annotations

from typing import Any

from flask import Response, current_app, jsonify, request
from flask_jwt_extended import get_jwt, set_refresh_cookies, unset_jwt_cookies, verify_jwt_in_request

from ... import ratelimit
from ...security import current_user
from ...services import totp
from ..decorators import authenticated, body, limit_ip, other_responses, parse_json, public, response
from . import bp, service, sessions, signin, twofactor
from .schemas import (
    Accepted,
    CodeRequest,
    DeleteAccountRequest,
    EmailRequest,
    LoginRequest,
    LoginResult,
    MeUpdate,
    MfaLoginRequest,
    PasswordChangeRequest,
    PasswordCodeRequest,
    PasswordRequest,
    RecoveryCodes,
    RefreshRequest,
    RegisterRequest,
    ResetPasswordRequest,
    TokenPair,
    TokenRequest,
    TwoFactorSetup,
    UserEnvelope,
    UserOut,
)

ACCEPTED = {"message": "If the address belongs to an account, a message is on its way."}


def _with_cookie(pair: dict[str, Any]) -> Response:
    out = jsonify(TokenPair.model_validate(pair).model_dump(mode="json"))
    # The cookie lives exactly as long as the refresh token it carries.
    set_refresh_cookies(out, pair["refresh_token"], max_age=int(current_app.config["JWT_REFRESH_TOKEN_EXPIRES"]))
    return out


@bp.post("/register")
@public
@other_responses({409: "E-mail already registered"})
@response(UserEnvelope, 201, "Account created; a verification e-mail was sent")
@limit_ip("RATELIMIT_REGISTER", "register")
@body(RegisterRequest)
def register(data: RegisterRequest) -> Any:
    """Create an account and send the verification e-mail."""
    return {"user": service.register(data)}


@bp.post("/verify-email")
@public
@response(UserEnvelope)
@body(TokenRequest)
def verify_email(data: TokenRequest) -> Any:
    """Confirm an e-mail address with the token from the verification link."""
    return {"user": service.verify_email(data.token)}


@bp.post("/resend-verification")
@public
@response(Accepted, 202, "Accepted (whether or not the address has an account)")
@limit_ip("RATELIMIT_EMAIL", "resend")
@body(EmailRequest)
def resend_verification(data: EmailRequest) -> Any:
    """Send the verification e-mail again."""
    ratelimit.per_email("RATELIMIT_EMAIL", "resend", data.email)
    service.resend_verification(data.email)
    return ACCEPTED


@bp.post("/login")
@public
@other_responses({401: "Wrong e-mail or password", 403: "E-mail not verified or account deactivated", 423: "Locked"})
@response(
    LoginResult,
    200,
    "Signed in (the refresh token is also set as an httpOnly cookie); or, with two-factor sign-in on, "
    "mfa_required and the mfa_token for POST /api/auth/login/2fa (no session yet)",
)
@limit_ip("RATELIMIT_LOGIN", "login")
@body(LoginRequest)
def login(data: LoginRequest) -> Any:
    """Sign in with e-mail and password."""
    ratelimit.per_email("RATELIMIT_LOGIN", "login", data.email)
    user = signin.authenticate(data)
    if totp.is_enabled(user.id):
        return twofactor.challenge(user)
    return _with_cookie(sessions.start_session(user))


@bp.post("/login/2fa")
@public
@other_responses({401: "Wrong or replayed code, or an expired or used mfa_token", 423: "Locked"})
@response(TokenPair, 200, "Signed in; the refresh token is also set as an httpOnly cookie")
@limit_ip("RATELIMIT_LOGIN", "login")
@body(MfaLoginRequest)
def login_second_step(data: MfaLoginRequest) -> Any:
    """Complete a sign-in with the authenticator's code or a recovery code.

    Wrong codes count toward the lockout as wrong passwords do; each code works once.
    """
    return _with_cookie(sessions.start_session(twofactor.second_step(data)))


@bp.post("/2fa/setup")
@authenticated
@other_responses({409: "Two-factor sign-in is already on"})
@response(TwoFactorSetup)
@body(PasswordRequest)
def two_factor_setup(data: PasswordRequest) -> Any:
    """Start setting up two-factor sign-in: a new secret, confirmed by POST /api/auth/2fa/enable.

    A wrong password answers 422 on ``password``.
    """
    user = current_user()
    ratelimit.hit("RATELIMIT_LOGIN", "password-check", str(user.id))
    return twofactor.setup(user, data.password)


@bp.post("/2fa/enable")
@authenticated
@other_responses({409: "Not set up, or already on"})
@response(RecoveryCodes)
@body(CodeRequest)
def two_factor_enable(data: CodeRequest) -> Any:
    """Turn two-factor sign-in on with a first code; answers the 10 recovery codes (shown only here)."""
    user = current_user()
    ratelimit.hit("RATELIMIT_LOGIN", "password-check", str(user.id))
    return twofactor.enable(user, data.code)


@bp.post("/2fa/disable")
@authenticated
@other_responses({409: "Two-factor sign-in is not on"})
@response(None, 204, "Two-factor sign-in is off; the recovery codes are gone")
@body(PasswordCodeRequest)
def two_factor_disable(data: PasswordCodeRequest) -> Any:
    """Turn two-factor sign-in off (the password and a current code are required)."""
    user = current_user()
    ratelimit.hit("RATELIMIT_LOGIN", "password-check", str(user.id))
    twofactor.disable(user, data.password, data.code)


@bp.post("/2fa/recovery-codes")
@authenticated
@other_responses({409: "Two-factor sign-in is not on"})
@response(RecoveryCodes)
@body(PasswordCodeRequest)
def two_factor_recovery_codes(data: PasswordCodeRequest) -> Any:
    """Replace the recovery codes with 10 new ones (the old ones stop working)."""
    user = current_user()
    ratelimit.hit("RATELIMIT_LOGIN", "password-check", str(user.id))
    return twofactor.renew_recovery_codes(user, data.password, data.code)


@bp.post("/refresh")
@public
@other_responses(
    {400: "Malformed JSON", 401: "Missing, invalid, expired, reused or revoked refresh token", 422: "Invalid body"}
)
@response(TokenPair, 200, "A new access token and a rotated refresh token")
def refresh() -> Any:
    """Exchange a refresh token (body, or cookie with the X-CSRF-TOKEN header) for a new pair.

    Presenting a refresh token that was already rotated revokes the whole session.
    """
    data = parse_json(RefreshRequest) if request.content_length else RefreshRequest()
    if data.refresh_token:
        return _with_cookie(sessions.rotate(encoded=data.refresh_token))
    verify_jwt_in_request(refresh=True, locations=["cookies"], verify_type=True)
    return _with_cookie(sessions.rotate(token_data=get_jwt()))


refresh.__openapi__.update(body=RefreshRequest, body_optional=True)  # type: ignore[attr-defined]


@bp.post("/logout")
@authenticated
@response(None, 204, "Signed out")
def logout() -> Any:
    """Revoke this access token and its whole refresh-token family."""
    sessions.revoke_family(get_jwt()["fam"])
    out = Response(status=204)
    unset_jwt_cookies(out)
    return out


@bp.get("/me")
@authenticated
@response(UserOut)
def get_me() -> Any:
    """The signed-in user."""
    return current_user()


@bp.patch("/me")
@authenticated
@response(UserOut)
@body(MeUpdate)
def update_me(data: MeUpdate) -> Any:
    """Change the name, the preferences (currency, timezone) or the default household."""
    return service.update_me(current_user(), data)


@bp.post("/forgot-password")
@public
@response(Accepted, 202, "Accepted (whether or not the address has an account)")
@limit_ip("RATELIMIT_EMAIL", "forgot")
@body(EmailRequest)
def forgot_password(data: EmailRequest) -> Any:
    """E-mail a password-reset link (valid 1 hour, single use) when the address has an account."""
    ratelimit.per_email("RATELIMIT_EMAIL", "forgot", data.email)
    service.forgot_password(data.email)
    return ACCEPTED


@bp.post("/reset-password")
@public
@response(Accepted, 200, "Password set; every session of the account was signed out")
@body(ResetPasswordRequest)
def reset_password(data: ResetPasswordRequest) -> Any:
    """Set a new password with the token from the reset link; revokes every session."""
    service.reset_password(data)
    return {"message": "Your password has been changed. Please sign in with the new password."}


@bp.post("/me/password")
@authenticated
@response(None, 204, "Password changed; every other session was signed out")
@body(PasswordChangeRequest)
def change_password(data: PasswordChangeRequest) -> Any:
    """Change the password (the current one is required); other sessions are revoked.

    A wrong current password answers 422 on ``current_password``.
    """
    user = current_user()
    ratelimit.hit("RATELIMIT_LOGIN", "password-check", str(user.id))
    service.change_password(user, data, keep_family=get_jwt().get("fam"))


@bp.delete("/me")
@authenticated
@response(None, 204, "The account and all its data were deleted")
@body(DeleteAccountRequest)
def delete_me(data: DeleteAccountRequest) -> Any:
    """Delete the account and all its data (the password is required; a wrong one answers 422)."""
    user = current_user()
    ratelimit.hit("RATELIMIT_LOGIN", "password-check", str(user.id))
    service.delete_account(user, data)
    out = Response(status=204)
    unset_jwt_cookies(out)
    return out
