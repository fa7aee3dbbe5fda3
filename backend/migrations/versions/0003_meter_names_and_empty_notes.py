"""meters: names unique per user ignoring case; records: an empty note is no note

Revision ID: 0003_meter_names
Revises: 0002_accounts
Create Date: 2026-11-22

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0003_meter_names"
down_revision = "0002_accounts"
branch_labels = None
depends_on = None

NAME_MAX = 64


def _rename_case_duplicates() -> None:
    """Give the second and later meters whose names differ only in case a free name: 'Gas (2)'."""
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


def upgrade():
    _rename_case_duplicates()
    op.create_index("uq_meters_user_id_lower_name", "meters", ["user_id", sa.text("lower(name)")], unique=True)
    op.execute("UPDATE records SET note = NULL WHERE note = ''")


def downgrade():
    op.drop_index("uq_meters_user_id_lower_name", table_name="meters")
