"""notifications, budgets, raised alerts, meters' alert settings

Revision ID: 0011_budgets_notifications
Revises: 0009_tokens_2fa_audit
Create Date: 2026-11-27

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0011_budgets_notifications"
down_revision = "0009_tokens_2fa_audit"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ALTER TABLE (no batch copy on SQLite, which would lose the lower(name) index).
    op.add_column("meters", sa.Column("anomaly_factor_milli", sa.Integer(), nullable=True))
    op.add_column("meters", sa.Column("reading_reminder_days", sa.Integer(), nullable=True))
    # Existing meters get the defaults of new ones (3 x the median; 35 days).
    op.execute("UPDATE meters SET anomaly_factor_milli = 3000, reading_reminder_days = 35")

    op.create_table(
        "notifications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("household_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("link", sa.String(length=200), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("read_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["household_id"],
            ["households.id"],
            name=op.f("fk_notifications_household_id_households"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_notifications_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notifications")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_notifications_household_id"), ["household_id"], unique=False)
        batch_op.create_index("ix_notifications_user_id_id", ["user_id", "id"], unique=False)

    op.create_table(
        "notification_settings",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("email", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_notification_settings_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("user_id", "kind", name=op.f("pk_notification_settings")),
    )

    op.create_table(
        "budgets",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("household_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("meter_id", sa.Integer(), nullable=True),
        sa.Column("type", sa.String(length=16), nullable=True),
        sa.Column("period", sa.String(length=16), nullable=False),
        sa.Column("limit_milli", sa.BigInteger(), nullable=True),
        sa.Column("limit_cents", sa.BigInteger(), nullable=True),
        sa.Column("thresholds", sa.JSON(), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by"], ["users.id"], name=op.f("fk_budgets_created_by_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["household_id"], ["households.id"], name=op.f("fk_budgets_household_id_households"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["meter_id"], ["meters.id"], name=op.f("fk_budgets_meter_id_meters"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_budgets")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("budgets", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_budgets_household_id"), ["household_id"], unique=False)

    op.create_table(
        "raised_alerts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("household_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["household_id"],
            ["households.id"],
            name=op.f("fk_raised_alerts_household_id_households"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_raised_alerts")),
        sa.UniqueConstraint("key", name=op.f("uq_raised_alerts_key")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("raised_alerts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_raised_alerts_household_id"), ["household_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("raised_alerts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_raised_alerts_household_id"))
    op.drop_table("raised_alerts")
    with op.batch_alter_table("budgets", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_budgets_household_id"))
    op.drop_table("budgets")
    op.drop_table("notification_settings")
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.drop_index("ix_notifications_user_id_id")
        batch_op.drop_index(batch_op.f("ix_notifications_household_id"))
    op.drop_table("notifications")
    op.drop_column("meters", "reading_reminder_days")
    op.drop_column("meters", "anomaly_factor_milli")
