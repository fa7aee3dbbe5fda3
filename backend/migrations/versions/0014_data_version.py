"""the household data version (bumped by every write to a household's data)

Revision ID: 0014_data_version
Revises: 0013_attachments
Create Date: 2026-11-27

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0014_data_version"
down_revision = "0013_attachments"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("households", sa.Column("data_version", sa.BigInteger(), nullable=False, server_default="0"))


def downgrade() -> None:
    # Plain ALTER TABLE on SQLite too (3.35+): a batch copy would drop the table's AUTOINCREMENT.
    op.drop_column("households", "data_version")
