"""`flask readings import`: the API's import from the command line, with a progress bar."""

from __future__ import annotations

import os
import sys

import click

from ...errors import APIError, InvalidField
from ...services import users
from . import bp, importer

bp.cli.help = "Import readings."


@bp.cli.command("import")
@click.argument("path", metavar="FILE", type=click.Path(exists=True, dir_okay=False))
@click.option("--user", "email", required=True, help="E-mail of an editor of the household.")
@click.option("--household", "household_id", type=int, help="Household id (default: the user's default household).")
@click.option("--dry-run", is_flag=True, help="Validate and report without writing anything.")
def import_command(path: str, email: str, household_id: int | None, dry_run: bool) -> None:
    """Import readings from a CSV FILE (taken_at,meter,value,kind,previous_final_value,note), all or nothing."""
    user = users.find_by_email(email)
    if user is None:
        raise click.ClickException(f"No user with e-mail {email}")
    with (
        open(path, "rb") as stream,
        click.progressbar(length=os.path.getsize(path), label="Importing", file=sys.stderr) as bar,
    ):
        done = 0

        def advance(position: int) -> None:
            nonlocal done
            bar.update(position - done)
            done = position

        try:
            summary = importer.import_readings(
                user, stream, dry_run=dry_run, progress=advance, household_id=household_id
            )
        except APIError as exc:
            click.echo("", err=True)
            for item in exc.details or []:
                if "row" in item:
                    where = f"row {item['row']}" + (f", {item['field']}" if item.get("field") else "")
                else:
                    where = ".".join(str(part) for part in item.get("loc", [])) or "request"
                click.echo(f"{where}: {item.get('message') or item.get('msg')}", err=True)
            raise click.ClickException(exc.message) from None
        except InvalidField as exc:
            raise click.ClickException(f"--household: {exc.message}") from None
    verb = "Would import" if dry_run else "Imported"
    click.echo(f"{verb} {summary.imported} reading(s); skipped {summary.skipped_duplicates} duplicate(s).")
