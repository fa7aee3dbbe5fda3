"""households: meters, records and rollups belong to a household, users join by membership

Every existing user gets a household "Home" (their time zone and currency) with them as its
owner and default household; their meters, records and rollups move into it, every row and id
kept. A household takes its user's id, so the move is a handful of set-based statements
however much data there is. Records keep who wrote them (``created_by``).

The downgrade gives each household's data back to its longest-standing owner (a meter whose
name that owner already uses elsewhere is renamed "Name (2)"), then drops the households.

SQLite rebuilds a table to change its keys; dropping the old copy would cascade to the rows
that refer to it, so foreign keys are off during the rebuilds (as in 0004) and checked after.

Revision ID: 0005_households
Revises: 0004_sqlite_autoincrement
Create Date: 2026-11-27

"""

from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0005_households"
down_revision = "0004_sqlite_autoincrement"
branch_labels = None
depends_on = None

NAME_MAX = 64
_AUTOINCREMENT = {"sqlite_autoincrement": True}  # kept through SQLite's rebuilds (0004)


@contextmanager
def _foreign_keys_off() -> Iterator[None]:
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        yield
        return
    context = op.get_context()
    with context.autocommit_block():
        op.execute("PRAGMA foreign_keys=OFF")
    try:
        yield
        broken = bind.execute(sa.text("PRAGMA foreign_key_check")).all()
        if broken:
            raise RuntimeError(f"rows refer to missing rows after the rebuild: {broken[:5]}")
    finally:
        with context.autocommit_block():
            op.execute("PRAGMA foreign_keys=ON")


def _fix_sequence(table: str) -> None:
    """Ids were inserted explicitly: move PostgreSQL's sequence past them (SQLite's AUTOINCREMENT follows)."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), coalesce((SELECT max(id) FROM {table}), 0) + 1,"  # noqa: S608 (names of this migration, no input)
            " false)"
        )


def _owner_column(key: str, tenant: str) -> str:
    """The owner (user id) of ``tenant``'s household at downgrade: its longest-standing owner."""
    return (
        f"(SELECT ms.user_id FROM memberships ms WHERE ms.household_id = {tenant}.{key} AND ms.role = 'owner'"  # noqa: S608 (names of this migration, no input)
        " ORDER BY ms.joined_at, ms.user_id LIMIT 1)"
    )


def upgrade():
    op.create_table(
        "households",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("billing_day", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_households")),
        sqlite_autoincrement=True,
    )
    op.create_table(
        "memberships",
        sa.Column("household_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=10), nullable=False),
        sa.Column("joined_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["household_id"], ["households.id"], name=op.f("fk_memberships_household_id_households"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_memberships_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("household_id", "user_id", name=op.f("pk_memberships")),
    )
    op.create_index("ix_memberships_user_id", "memberships", ["user_id"], unique=False)

    # One household per user, with the user's id; the user owns it and it is their default.
    op.execute(
        "INSERT INTO households (id, name, timezone, currency, billing_day, created_at, updated_at)"
        " SELECT id, 'Home', timezone, currency, 1, created_at, created_at FROM users"
    )
    _fix_sequence("households")
    op.execute(
        "INSERT INTO memberships (household_id, user_id, role, joined_at) SELECT id, id, 'owner', created_at FROM users"
    )

    with _foreign_keys_off():
        with op.batch_alter_table("users", table_kwargs=_AUTOINCREMENT) as batch:
            batch.add_column(sa.Column("default_household_id", sa.Integer(), nullable=True))
            batch.create_foreign_key(
                op.f("fk_users_default_household_id_households"),
                "households",
                ["default_household_id"],
                ["id"],
                ondelete="SET NULL",
            )
        op.execute("UPDATE users SET default_household_id = id")

        op.drop_index("uq_meters_user_id_lower_name", table_name="meters")
        with op.batch_alter_table("meters", table_kwargs=_AUTOINCREMENT) as batch:
            batch.add_column(sa.Column("household_id", sa.Integer(), nullable=True))
        op.execute("UPDATE meters SET household_id = user_id")
        with op.batch_alter_table("meters", table_kwargs=_AUTOINCREMENT) as batch:
            batch.drop_constraint("uq_meters_user_id_name", type_="unique")
            batch.drop_index("ix_meters_user_id")
            batch.drop_constraint("fk_meters_user_id_users", type_="foreignkey")
            batch.drop_column("user_id")
            batch.alter_column("household_id", existing_type=sa.Integer(), nullable=False)
            batch.create_foreign_key(
                op.f("fk_meters_household_id_households"), "households", ["household_id"], ["id"], ondelete="CASCADE"
            )
            batch.create_index("ix_meters_household_id", ["household_id"], unique=False)
            batch.create_unique_constraint("uq_meters_household_id_name", ["household_id", "name"])
        op.create_index(
            "uq_meters_household_id_lower_name", "meters", ["household_id", sa.text("lower(name)")], unique=True
        )

        with op.batch_alter_table("records", table_kwargs=_AUTOINCREMENT) as batch:
            batch.add_column(sa.Column("household_id", sa.Integer(), nullable=True))
            batch.add_column(sa.Column("created_by", sa.Integer(), nullable=True))
        op.execute("UPDATE records SET household_id = user_id, created_by = user_id")
        with op.batch_alter_table("records", table_kwargs=_AUTOINCREMENT) as batch:
            batch.drop_index("ix_records_user_date")
            batch.drop_index("ix_records_user_meter_date")
            batch.drop_constraint("fk_records_user_id_users", type_="foreignkey")
            batch.drop_column("user_id")
            batch.alter_column("household_id", existing_type=sa.Integer(), nullable=False)
            batch.create_foreign_key(
                op.f("fk_records_household_id_households"), "households", ["household_id"], ["id"], ondelete="CASCADE"
            )
            batch.create_foreign_key(
                op.f("fk_records_created_by_users"), "users", ["created_by"], ["id"], ondelete="SET NULL"
            )
            batch.create_index("ix_records_household_date", ["household_id", "date", "id"], unique=False)
            batch.create_index("ix_records_household_meter_date", ["household_id", "meter_id", "date"], unique=False)

        _replace_rollups("household_id", "households", "user_id")


def _replace_rollups(key: str, referred: str, old_key: str, value: str | None = None) -> None:
    """Rollups are keyed by their tenant: copy them into a table keyed by ``key`` and swap it in."""
    op.create_table(
        "daily_rollups_next",
        sa.Column(key, sa.Integer(), nullable=False),
        sa.Column("meter_id", sa.Integer(), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("total_milli", sa.BigInteger(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("cost_cents", sa.BigInteger(), nullable=False),
        sa.Column("cost_count", sa.Integer(), nullable=False),
        sa.Column("min_milli", sa.BigInteger(), nullable=False),
        sa.Column("max_milli", sa.BigInteger(), nullable=False),
    )
    columns = "meter_id, date, total_milli, count, cost_cents, cost_count, min_milli, max_milli"
    source = value or old_key
    op.execute(f"INSERT INTO daily_rollups_next ({key}, {columns}) SELECT {source}, {columns} FROM daily_rollups")  # noqa: S608 (names of this migration, no input)
    op.drop_table("daily_rollups")
    op.rename_table("daily_rollups_next", "daily_rollups")
    with op.batch_alter_table("daily_rollups") as batch:
        batch.create_primary_key("pk_daily_rollups", [key, "meter_id", "date"])
        batch.create_foreign_key(f"fk_daily_rollups_{key}_{referred}", referred, [key], ["id"], ondelete="CASCADE")
        batch.create_foreign_key("fk_daily_rollups_meter_id_meters", "meters", ["meter_id"], ["id"], ondelete="CASCADE")
        batch.create_index(f"ix_daily_rollups_{key.removesuffix('_id')}_date", [key, "date"], unique=False)


def _rename_clashes() -> None:
    """Before meters go back to one owner: a second meter of one name (ignoring case) becomes 'Name (2)'."""
    bind = op.get_bind()
    rows = bind.execute(sa.text("SELECT id, user_id, name FROM meters ORDER BY user_id, id")).all()
    taken: dict[int, set[str]] = {}
    for _meter_id, user_id, name in rows:
        taken.setdefault(user_id, set()).add(name.lower())
    seen: set[tuple[int, str]] = set()
    for meter_id, user_id, name in rows:
        key = (user_id, name.lower())
        if key not in seen:
            seen.add(key)
            continue
        n = 2
        while True:
            suffix = f" ({n})"
            candidate = name[: NAME_MAX - len(suffix)] + suffix
            if candidate.lower() not in taken[user_id]:
                break
            n += 1
        taken[user_id].add(candidate.lower())
        seen.add((user_id, candidate.lower()))
        bind.execute(sa.text("UPDATE meters SET name = :name WHERE id = :id"), {"name": candidate, "id": meter_id})


def downgrade():
    # A household without an owner has nobody to give its data to (none exists: the last owner
    # cannot leave while others remain, and a household left empty is deleted).
    op.execute("DELETE FROM households WHERE id NOT IN (SELECT household_id FROM memberships WHERE role = 'owner')")
    with _foreign_keys_off():
        _replace_rollups("user_id", "users", "household_id", value=_owner_column("household_id", "daily_rollups"))

        with op.batch_alter_table("records", table_kwargs=_AUTOINCREMENT) as batch:
            batch.add_column(sa.Column("user_id", sa.Integer(), nullable=True))
        op.execute(f"UPDATE records SET user_id = {_owner_column('household_id', 'records')}")  # noqa: S608 (names of this migration, no input)
        with op.batch_alter_table("records", table_kwargs=_AUTOINCREMENT) as batch:
            batch.drop_index("ix_records_household_date")
            batch.drop_index("ix_records_household_meter_date")
            batch.drop_constraint("fk_records_household_id_households", type_="foreignkey")
            batch.drop_constraint("fk_records_created_by_users", type_="foreignkey")
            batch.drop_column("household_id")
            batch.drop_column("created_by")
            batch.alter_column("user_id", existing_type=sa.Integer(), nullable=False)
            batch.create_foreign_key("fk_records_user_id_users", "users", ["user_id"], ["id"], ondelete="CASCADE")
            batch.create_index("ix_records_user_date", ["user_id", "date", "id"], unique=False)
            batch.create_index("ix_records_user_meter_date", ["user_id", "meter_id", "date"], unique=False)

        op.drop_index("uq_meters_household_id_lower_name", table_name="meters")
        with op.batch_alter_table("meters", table_kwargs=_AUTOINCREMENT) as batch:
            batch.add_column(sa.Column("user_id", sa.Integer(), nullable=True))
        op.execute(f"UPDATE meters SET user_id = {_owner_column('household_id', 'meters')}")  # noqa: S608 (names of this migration, no input)
        _rename_clashes()
        with op.batch_alter_table("meters", table_kwargs=_AUTOINCREMENT) as batch:
            batch.drop_constraint("uq_meters_household_id_name", type_="unique")
            batch.drop_index("ix_meters_household_id")
            batch.drop_constraint("fk_meters_household_id_households", type_="foreignkey")
            batch.drop_column("household_id")
            batch.alter_column("user_id", existing_type=sa.Integer(), nullable=False)
            batch.create_foreign_key("fk_meters_user_id_users", "users", ["user_id"], ["id"], ondelete="CASCADE")
            batch.create_index("ix_meters_user_id", ["user_id"], unique=False)
            batch.create_unique_constraint("uq_meters_user_id_name", ["user_id", "name"])
        op.create_index("uq_meters_user_id_lower_name", "meters", ["user_id", sa.text("lower(name)")], unique=True)

        with op.batch_alter_table("users", table_kwargs=_AUTOINCREMENT) as batch:
            batch.drop_constraint("fk_users_default_household_id_households", type_="foreignkey")
            batch.drop_column("default_household_id")

        op.drop_index("ix_memberships_user_id", table_name="memberships")
        op.drop_table("memberships")
        op.drop_table("households")
