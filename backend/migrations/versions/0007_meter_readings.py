"""meter readings: a meter's mode, rollover and plausibility limit, and the readings table

Revision ID: 0007_meter_readings
Revises: 0006_invitations_share_links
Create Date: 2026-11-27

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0007_meter_readings"
down_revision = "0006_invitations_share_links"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("meters", sa.Column("mode", sa.String(length=16), nullable=False, server_default="consumption"))
    op.add_column("meters", sa.Column("rollover_at_milli", sa.BigInteger(), nullable=True))
    op.add_column("meters", sa.Column("max_per_day_milli", sa.BigInteger(), nullable=True))
    op.create_table(
        "readings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("household_id", sa.Integer(), nullable=False),
        sa.Column("meter_id", sa.Integer(), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("taken_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("value_milli", sa.BigInteger(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("previous_final_milli", sa.BigInteger(), nullable=True),
        sa.Column("note", sa.String(length=500), nullable=True),
        sa.Column("wrapped", sa.Boolean(), nullable=False),
        sa.Column("high_rate", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["household_id"], ["households.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["meter_id"], ["meters.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["created_by"], ["users.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("meter_id", "taken_at", name="uq_readings_meter_id_taken_at"),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_readings_household_meter_taken_at", "readings", ["household_id", "meter_id", "taken_at"])


def downgrade() -> None:
    op.drop_index("ix_readings_household_meter_taken_at", table_name="readings")
    op.drop_table("readings")
    op.drop_column("meters", "max_per_day_milli")
    op.drop_column("meters", "rollover_at_milli")
    op.drop_column("meters", "mode")
