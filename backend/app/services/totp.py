"""Two-factor sign-in with TOTP (RFC 6238: 30 s steps, 6 digits, one step either side).

A code is accepted once: the step of the last accepted code is stored, and a code of that
step or an earlier one is a replay. The step is advanced by one conditional UPDATE, so two
requests presenting the same code at once cannot both succeed. Recovery codes are stored
as SHA-256 hashes (they are random, 50 bits each) and spent by a conditional UPDATE too.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import timedelta

import pyotp
from sqlalchemy import delete, or_, select, update

from ..extensions import db
from ..models import MfaChallenge, RecoveryCode, TwoFactor, User
from . import clock

ISSUER = "Meterbook"
STEP_SECONDS = 30
RECOVERY_CODES = 10
MFA_TOKEN_SECONDS = 300
_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i: codes get copied by hand


def _sha256(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def settings(user_id: int) -> TwoFactor | None:
    return db.session.get(TwoFactor, user_id)


def is_enabled(user_id: int) -> bool:
    found = db.session.scalar(select(TwoFactor.enabled_at).where(TwoFactor.user_id == user_id))
    return found is not None


def start_setup(user: User) -> tuple[str, str]:
    """A new pending secret (replacing an earlier pending one): (secret, otpauth URI)."""
    secret = pyotp.random_base32()
    found = settings(user.id)
    if found is None:
        db.session.add(TwoFactor(user_id=user.id, secret=secret))
    else:
        found.secret = secret
        found.last_step = None
    return secret, pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=ISSUER)


def check_code(found: TwoFactor, code: str) -> bool:
    """True when ``code`` is valid now and newer than the last accepted one (which it becomes)."""
    if len(code) != 6 or not code.isdigit():
        return False
    totp = pyotp.TOTP(found.secret)
    now_step = int(clock.now().timestamp()) // STEP_SECONDS
    for step in (now_step - 1, now_step, now_step + 1):
        if hmac.compare_digest(totp.at(step * STEP_SECONDS), code):
            claimed = db.session.execute(
                update(TwoFactor)
                .where(
                    TwoFactor.user_id == found.user_id,
                    or_(TwoFactor.last_step.is_(None), TwoFactor.last_step < step),
                )
                .values(last_step=step)
            )
            if claimed.rowcount == 1:  # type: ignore[attr-defined]
                found.last_step = step
                return True
            return False  # a replay (or a code older than one already used)
    return False


def new_recovery_codes(user_id: int) -> list[str]:
    """Replace the user's recovery codes with 10 new ones, returned in clear (shown once)."""
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user_id))
    codes = []
    for _ in range(RECOVERY_CODES):
        raw = "".join(secrets.choice(_ALPHABET) for _ in range(10))
        codes.append(f"{raw[:5]}-{raw[5:]}")
        db.session.add(RecoveryCode(user_id=user_id, code_hash=_sha256(raw)))
    return codes


def use_recovery_code(user_id: int, code: str) -> bool:
    normalised = "".join(ch for ch in code.lower() if ch.isalnum())
    spent = db.session.execute(
        update(RecoveryCode)
        .where(
            RecoveryCode.user_id == user_id,
            RecoveryCode.code_hash == _sha256(normalised),
            RecoveryCode.used_at.is_(None),
        )
        .values(used_at=clock.now())
    )
    return getattr(spent, "rowcount", 0) == 1


def remaining_recovery_codes(user_id: int) -> int:
    rows = db.session.scalars(
        select(RecoveryCode.id).where(RecoveryCode.user_id == user_id, RecoveryCode.used_at.is_(None))
    )
    return len(list(rows))


def disable(user_id: int) -> None:
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user_id))
    db.session.execute(delete(TwoFactor).where(TwoFactor.user_id == user_id))
    db.session.execute(delete(MfaChallenge).where(MfaChallenge.user_id == user_id))


# --- the pending second step of a sign-in ---------------------------------------------------


def open_challenge(user_id: int) -> str:
    """A new single-use ``mfa_token`` for the user, valid 5 minutes (only its hash is stored)."""
    token = secrets.token_urlsafe(32)
    now = clock.now()
    db.session.execute(delete(MfaChallenge).where(MfaChallenge.expires_at < now))
    db.session.add(
        MfaChallenge(
            id=_sha256(token),
            user_id=user_id,
            created_at=now,
            expires_at=now + timedelta(seconds=MFA_TOKEN_SECONDS),
        )
    )
    return token


def find_challenge(token: str) -> MfaChallenge | None:
    """The live challenge of ``token``, or None (unknown, used or expired)."""
    found = db.session.get(MfaChallenge, _sha256(token))
    if found is None or found.used_at is not None or found.expires_at <= clock.now():
        return None
    return found


def close_challenge(found: MfaChallenge) -> bool:
    """Spend the challenge; False when a concurrent request spent it first."""
    spent = db.session.execute(
        update(MfaChallenge)
        .where(MfaChallenge.id == found.id, MfaChallenge.used_at.is_(None))
        .values(used_at=clock.now())
    )
    return getattr(spent, "rowcount", 0) == 1
