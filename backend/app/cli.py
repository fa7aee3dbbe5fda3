"""Maintenance commands: `flask users|analytics|mail|seed|openapi|jobs ...`."""

from __future__ import annotations

import json
from typing import IO

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from .extensions import db
from .models import Membership, User
from .services import households, mail, rollups, tenancy, users

users_cli = AppGroup("users", help="Manage user accounts.")
analytics_cli = AppGroup("analytics", help="Maintain analytics rollups.")
mail_cli = AppGroup("mail", help="The e-mail outbox.")
seed_cli = AppGroup("seed", help="Demo data.")
openapi_cli = AppGroup("openapi", help="The OpenAPI document.")


def user_by_email(email: str) -> User:
    user = users.find_by_email(email)
    if user is None:
        raise click.ClickException(f"No user with e-mail {email}")
    return user


@users_cli.command("create-admin")
@click.argument("email")
@click.option("--password", help="Create the account with this password when it does not exist yet.")
@click.option("--name", default="Administrator", show_default=True)
def create_admin(email: str, password: str | None, name: str) -> None:
    """Make EMAIL an administrator (creating the account when --password is given)."""
    from .api.auth.schemas import RegisterRequest
    from .services import clock
    from .services.passwords import hash_password

    user = users.find_by_email(email)
    if user is None:
        if not password:
            raise click.ClickException(f"No user with e-mail {email}; pass --password to create one.")
        from pydantic import ValidationError

        try:
            data = RegisterRequest(email=email, password=password, name=name)
        except ValidationError as exc:
            problems = "; ".join(
                f"{'.'.join(str(p) for p in err['loc']) or 'input'}: {err['msg']}" for err in exc.errors()
            )
            raise click.ClickException(problems) from None
        user = User(email=data.email, name=data.name, password_hash=hash_password(data.password))
        user.email_verified_at = clock.now()
        db.session.add(user)
        db.session.flush()
        households.create_household(user, households.FIRST_HOUSEHOLD_NAME)  # as registration does
    user.role = "admin"
    user.is_active = True
    db.session.commit()
    click.echo(f"{user.email} is now an administrator.")


@analytics_cli.command("rebuild")
@click.option("--user", "email", help="Only the rollups of this user's households.")
def rebuild(email: str | None) -> None:
    """Rebuild the daily rollups from the records and the readings."""
    if email:
        user = user_by_email(email)
        ids = list(db.session.scalars(tenancy.household_ids(user).order_by(Membership.household_id)))
        written = sum(rollups.rebuild(household_id) for household_id in ids)
    else:
        written = rollups.rebuild()
    db.session.commit()
    click.echo(f"Rebuilt {written} rollup rows.")


@mail_cli.command("send-pending")
def send_pending() -> None:
    """Send every e-mail whose time has come."""
    click.echo(f"Sent {mail.deliver_due(limit=1000)} message(s).")


@seed_cli.command("demo")
@click.option("--days", default=3 * 365, show_default=True, help="How many days of readings.")
def seed_demo(days: int) -> None:
    """(Re)create the demo account with seasonal readings on all three meters."""
    from .seed import seed_demo as run

    email, password, count = run(days=days)
    click.echo(f"Demo account ready with {count} records.\n  e-mail:   {email}\n  password: {password}")


@openapi_cli.command("dump")
@click.argument("file", type=click.File("w", encoding="utf-8"))
def dump_openapi(file: IO[str]) -> None:
    """Write the OpenAPI document (what /apispec.json serves) to FILE ("-" for stdout)."""
    json.dump(current_app.extensions["meterbook.openapi"], file, indent=2, sort_keys=True)
    file.write("\n")


def register_commands(app: Flask) -> None:
    """The maintenance groups; `flask records ...` hangs off the records blueprint (api/records/cli.py)."""
    from .jobs.cli import jobs_cli

    for group in (users_cli, analytics_cli, mail_cli, seed_cli, openapi_cli, jobs_cli):
        app.cli.add_command(group)
