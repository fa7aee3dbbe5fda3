"""`flask attachments clean`: remove uploads left unattached (a periodic job does the same)."""

from __future__ import annotations

import click

from ...services import attachments
from . import bp

bp.cli.help = "Maintain attachments."


@bp.cli.command("clean")
@click.option(
    "--hours",
    default=attachments.UNATTACHED_HOURS,
    show_default=True,
    type=click.IntRange(min=0),
    help="Remove uploads attached to nothing for at least this long.",
)
def clean_command(hours: int) -> None:
    """Delete uploads attached to no reading, record or bill for HOURS, with their files."""
    count = attachments.clean_unattached(hours)
    click.echo(f"Removed {count} unattached upload(s).")
