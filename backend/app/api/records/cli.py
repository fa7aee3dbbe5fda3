"""`flask records import|export`: the same service code as the API, from the command line."""

from __future__ import annotations

import os
import sys
from datetime import datetime

import click
from pydantic import ValidationError

from ...errors import APIError
from ...models import User
from ...services import users
from ...services.units import METER_TYPES
from ..meters import service as meter_service
from . import bp, export, importer
from .schemas import ExportQuery

bp.cli.help = "Import and export records."


def _user(email: str) -> User:
    user = users.find_by_email(email)
    if user is None:
        raise click.ClickException(f"No user with e-mail {email}")
    return user


@bp.cli.command("import")
@click.argument("path", metavar="FILE", type=click.Path(exists=True, dir_okay=False))
@click.option("--user", "email", required=True, help="E-mail of the account to import into.")
@click.option("--dry-run", is_flag=True, help="Validate and report without writing anything.")
def import_command(path: str, email: str, dry_run: bool) -> None:
    """Import records from a CSV FILE (all or nothing)."""
    user = _user(email)
    size = os.path.getsize(path)
    with (
        open(path, "rb") as stream,
        click.progressbar(length=size, label="Importing", file=sys.stderr) as bar,
    ):
        done = 0

        def advance(position: int) -> None:
            nonlocal done
            bar.update(position - done)
            done = position

        try:
            summary = importer.import_records(user, stream, dry_run=dry_run, progress=advance)
        except APIError as exc:
            click.echo("", err=True)
            for item in exc.details or []:
                where = f"row {item['row']}" + (f", {item['field']}" if item.get("field") else "")
                click.echo(f"{where}: {item['message']}", err=True)
            raise click.ClickException(exc.message) from None
    verb = "Would import" if dry_run else "Imported"
    click.echo(f"{verb} {summary.imported} record(s); skipped {summary.skipped_duplicates} duplicate(s).")
    if summary.meters_created:
        click.echo(f"{'Would create' if dry_run else 'Created'} meter(s): {', '.join(summary.meters_created)}")


@bp.cli.command("export")
@click.option("--user", "email", required=True, help="E-mail of the account to export.")
@click.option("--format", "fmt", type=click.Choice(["csv", "json"]), default="csv", show_default=True)
@click.option("--type", "types", multiple=True, type=click.Choice(METER_TYPES))
@click.option("--meter-id", type=int)
@click.option("--date-from", type=click.DateTime(["%Y-%m-%d"]))
@click.option("--date-to", type=click.DateTime(["%Y-%m-%d"]))
@click.option("--q", help="Text in the note.")
def export_command(
    email: str,
    fmt: str,
    types: tuple[str, ...],
    meter_id: int | None,
    date_from: datetime | None,
    date_to: datetime | None,
    q: str | None,
) -> None:
    """Write your records as CSV or JSON to standard output: flask records export --user EMAIL > FILE."""
    user = _user(email)
    raw = {
        "format": fmt,
        "type": list(types) or None,
        "meter_id": meter_id,
        "date_from": date_from.date() if date_from else None,
        "date_to": date_to.date() if date_to else None,
        "q": q,
    }
    context = {"meter_exists": lambda wanted: meter_service.meter_exists(user, wanted)}
    try:
        query = ExportQuery.model_validate(
            {key: value for key, value in raw.items() if value is not None}, context=context
        )
    except ValidationError as exc:
        problems = "; ".join(
            f"--{'-'.join(str(part) for part in err['loc']).replace('_', '-')}: "
            + err["msg"].removeprefix("Value error, ")
            for err in exc.errors()
        )
        raise click.ClickException(problems) from None
    out = sys.stdout.buffer
    for chunk in export.export_chunks(user, query):
        out.write(chunk.encode())
    out.flush()
