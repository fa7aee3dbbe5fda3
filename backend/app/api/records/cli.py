"""`flask records import|export`: the same service code as the API, from the command line."""

from __future__ import annotations

import os
import sys
from datetime import datetime

import click
from flask.cli import AppGroup
from pydantic import ValidationError

from ...cli import user_by_email
from ...errors import APIError
from . import io
from .schemas import ExportQuery

records_cli = AppGroup("records", help="Import and export records.")


@records_cli.command("import")
@click.argument("path", metavar="FILE", type=click.Path(exists=True, dir_okay=False))
@click.option("--user", "email", required=True, help="E-mail of the account to import into.")
@click.option("--dry-run", is_flag=True, help="Validate and report without writing anything.")
def import_command(path: str, email: str, dry_run: bool) -> None:
    """Import records from a CSV FILE (all or nothing)."""
    user = user_by_email(email)
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
            summary = io.import_records(user, stream, dry_run=dry_run, progress=advance)
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


@records_cli.command("export")
@click.option("--user", "email", required=True, help="E-mail of the account to export.")
@click.option("--format", "fmt", type=click.Choice(["csv", "json"]), default="csv", show_default=True)
@click.option("--type", "types", multiple=True, type=click.Choice(["electricity", "water", "gas", "other"]))
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
    user = user_by_email(email)
    raw = {
        "format": fmt,
        "type": list(types) or None,
        "meter_id": meter_id,
        "date_from": date_from.date() if date_from else None,
        "date_to": date_to.date() if date_to else None,
        "q": q,
    }
    try:
        query = ExportQuery.model_validate({key: value for key, value in raw.items() if value is not None})
        chunks = io.export_chunks(user, query)
    except ValidationError as exc:
        raise click.ClickException(str(exc)) from None
    except APIError as exc:
        raise click.ClickException(f"{exc.message}") from None
    out = sys.stdout.buffer
    for chunk in chunks:
        out.write(chunk.encode())
    out.flush()
