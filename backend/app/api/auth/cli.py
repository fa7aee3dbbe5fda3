"""`flask auth prune`: forget what the security features keep only for a while."""

from __future__ import annotations

import click
from sqlalchemy import delete

from ...extensions import db
from ...models import MfaChallenge
from ...services import audit, clock, idempotency
from . import bp

bp.cli.help = "Sign-in housekeeping."


@bp.cli.command("prune")
def prune() -> None:
    """Delete audit entries older than 365 days, Idempotency-Keys older than 24 hours and
    finished or expired sign-in challenges (run it daily, e.g. from cron)."""
    entries = audit.prune()
    keys = idempotency.prune()
    db.session.execute(delete(MfaChallenge).where(MfaChallenge.expires_at < clock.now()))
    db.session.commit()
    click.echo(f"pruned {entries} audit entries and {keys} idempotency keys")
