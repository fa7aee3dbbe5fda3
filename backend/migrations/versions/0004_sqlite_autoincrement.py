"""ids are never reused on SQLite: users, meters, records and outbox become AUTOINCREMENT

Without AUTOINCREMENT, SQLite gives a new row the largest rowid in the table plus one, so the
id of the newest row, once deleted, is handed out again (a stale link or cached id would then
point at someone's new row). PostgreSQL sequences never go back: nothing to do there.

SQLite cannot alter a primary key, so each table is rebuilt (batch mode copies every row with
its id; the copy sets sqlite_sequence to the largest id present). Dropping the old table would
cascade to the rows that refer to it, so foreign keys are off during the rebuild (the pragma only
takes effect outside a transaction) and checked before they are turned back on.

Revision ID: 0004_sqlite_autoincrement
Revises: 0003_meter_names
Create Date: 2026-11-27

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0004_sqlite_autoincrement"
down_revision = "0003_meter_names"
branch_labels = None
depends_on = None

TABLES = ("users", "meters", "records", "outbox")


def _rebuild(autoincrement: bool) -> None:
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        return
    context = op.get_context()
    with context.autocommit_block():
        op.execute("PRAGMA foreign_keys=OFF")
    try:
        # Reflection skips expression indexes, so the rebuild would lose this one: drop and re-create it.
        op.drop_index("uq_meters_user_id_lower_name", table_name="meters")
        for table in TABLES:
            # recreate="always" rebuilds without any operation; the table kwargs carry the change.
            with op.batch_alter_table(table, recreate="always", table_kwargs={"sqlite_autoincrement": autoincrement}):
                pass
        op.create_index("uq_meters_user_id_lower_name", "meters", ["user_id", sa.text("lower(name)")], unique=True)
        broken = bind.execute(sa.text("PRAGMA foreign_key_check")).all()
        if broken:
            raise RuntimeError(f"rows refer to missing rows after the rebuild: {broken[:5]}")
    finally:
        with context.autocommit_block():
            op.execute("PRAGMA foreign_keys=ON")


def upgrade():
    _rebuild(autoincrement=True)


def downgrade():
    _rebuild(autoincrement=False)
