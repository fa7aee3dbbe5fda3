"""attachments: photos of meters and bills

Revision ID: 0013_attachments
Revises: 0011_budgets_notifications
Create Date: 2026-11-27

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0013_attachments"
down_revision = "0011_budgets_notifications"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "attachments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("household_id", sa.Integer(), nullable=False),
        sa.Column("uploaded_by", sa.Integer(), nullable=True),
        sa.Column("storage_key", sa.String(length=80), nullable=False),
        sa.Column("thumbnail_key", sa.String(length=80), nullable=False),
        sa.Column("content_type", sa.String(length=16), nullable=False),
        sa.Column("thumbnail_content_type", sa.String(length=16), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("thumbnail_size", sa.BigInteger(), nullable=False),
        sa.Column("width", sa.Integer(), nullable=False),
        sa.Column("height", sa.Integer(), nullable=False),
        sa.Column("reading_id", sa.Integer(), nullable=True),
        sa.Column("record_id", sa.Integer(), nullable=True),
        sa.Column("bill_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "(CASE WHEN reading_id IS NULL THEN 0 ELSE 1 END) + (CASE WHEN record_id IS NULL THEN 0 ELSE 1 END)"
            " + (CASE WHEN bill_id IS NULL THEN 0 ELSE 1 END) <= 1",
            name=op.f("ck_attachments_one_parent"),
        ),
        sa.ForeignKeyConstraint(
            ["household_id"], ["households.id"], name=op.f("fk_attachments_household_id_households"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["uploaded_by"], ["users.id"], name=op.f("fk_attachments_uploaded_by_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["reading_id"], ["readings.id"], name=op.f("fk_attachments_reading_id_readings"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["record_id"], ["records.id"], name=op.f("fk_attachments_record_id_records"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["bill_id"], ["bills.id"], name=op.f("fk_attachments_bill_id_bills"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_attachments")),
        sa.UniqueConstraint("storage_key", name=op.f("uq_attachments_storage_key")),
        sa.UniqueConstraint("thumbnail_key", name=op.f("uq_attachments_thumbnail_key")),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_attachments_household_id_created_at", "attachments", ["household_id", "created_at"])
    op.create_index(op.f("ix_attachments_reading_id"), "attachments", ["reading_id"])
    op.create_index(op.f("ix_attachments_record_id"), "attachments", ["record_id"])
    op.create_index(op.f("ix_attachments_bill_id"), "attachments", ["bill_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_attachments_bill_id"), table_name="attachments")
    op.drop_index(op.f("ix_attachments_record_id"), table_name="attachments")
    op.drop_index(op.f("ix_attachments_reading_id"), table_name="attachments")
    op.drop_index("ix_attachments_household_id_created_at", table_name="attachments")
    op.drop_table("attachments")
