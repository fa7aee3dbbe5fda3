"""tariff versions, bills, and the uncosted part of each rollup day

Revision ID: 0008_tariffs_and_bills
Revises: 0007_meter_readings
Create Date: 2026-11-27

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0008_tariffs_and_bills"
down_revision = "0007_meter_readings"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("daily_rollups", sa.Column("uncosted_milli", sa.BigInteger(), nullable=False, server_default="0"))
    # Existing days: the amount of the records without an explicit cost.
    op.execute(
        """
        UPDATE daily_rollups SET uncosted_milli = COALESCE((
            SELECT SUM(r.amount_milli) FROM records r
            WHERE r.household_id = daily_rollups.household_id AND r.meter_id = daily_rollups.meter_id
              AND r.date = daily_rollups.date AND r.cost_cents IS NULL), 0)
        """
    )
    op.create_table(
        "tariff_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("household_id", sa.Integer(), nullable=False),
        sa.Column("meter_id", sa.Integer(), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("unit_price_micro", sa.BigInteger(), nullable=False),
        sa.Column("standing_charge_micro", sa.BigInteger(), nullable=False),
        sa.Column("tax_pct_milli", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["household_id"], ["households.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["meter_id"], ["meters.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("meter_id", "valid_from", name="uq_tariff_versions_meter_id_valid_from"),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_tariff_versions_household_id", "tariff_versions", ["household_id"])
    op.create_table(
        "bills",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("household_id", sa.Integer(), nullable=False),
        sa.Column("meter_id", sa.Integer(), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("period_from", sa.Date(), nullable=False),
        sa.Column("period_to", sa.Date(), nullable=False),
        sa.Column("amount_milli", sa.BigInteger(), nullable=True),
        sa.Column("cost_cents", sa.BigInteger(), nullable=False),
        sa.Column("note", sa.String(length=500), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["household_id"], ["households.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["meter_id"], ["meters.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["created_by"], ["users.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_bills_household_meter_period", "bills", ["household_id", "meter_id", "period_from"])


def downgrade() -> None:
    op.drop_index("ix_bills_household_meter_period", table_name="bills")
    op.drop_table("bills")
    op.drop_index("ix_tariff_versions_household_id", table_name="tariff_versions")
    op.drop_table("tariff_versions")
    op.drop_column("daily_rollups", "uncosted_milli")
