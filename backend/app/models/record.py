from __future__ import annotations

from datetime import date as date_type
from decimal import Decimal

from sqlalchemy import BigInteger, Date, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .attachment import HasAttachments, attachments_relationship
from .base import Timestamps
from .meter import Meter

MILLI = Decimal("0.001")
CENT = Decimal("0.01")


class Record(HasAttachments, Timestamps, db.Model):  # type: ignore[name-defined,misc]
    """One reading. Amounts are stored as integer thousandths and costs as cents: exact sums on every dialect."""

    __tablename__ = "records"
    __table_args__ = (
        Index("ix_records_household_date", "household_id", "date", "id"),
        Index("ix_records_household_meter_date", "household_id", "meter_id", "date"),
        {"sqlite_autoincrement": True},  # ids are never reused (migration 0004)
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # The meter's household, kept on the record so lists and counts need no join.
    household_id: Mapped[int] = mapped_column(ForeignKey("households.id", ondelete="CASCADE"), nullable=False)
    meter_id: Mapped[int] = mapped_column(ForeignKey("meters.id", ondelete="CASCADE"), nullable=False)
    # Who wrote it; null once that account is deleted (the record stays with the household).
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), nullable=True)
    date: Mapped[date_type] = mapped_column(Date, nullable=False)
    amount_milli: Mapped[int] = mapped_column(BigInteger, nullable=False)
    cost_cents: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    note: Mapped[str | None] = mapped_column(String(500), nullable=True)

    meter: Mapped[Meter] = relationship(lazy="joined", innerjoin=True)

    @property
    def amount(self) -> Decimal:
        return Decimal(self.amount_milli) * MILLI

    @amount.setter
    def amount(self, value: Decimal) -> None:
        self.amount_milli = int(value.scaleb(3))

    @property
    def cost(self) -> Decimal | None:
        return None if self.cost_cents is None else Decimal(self.cost_cents) * CENT

    @cost.setter
    def cost(self, value: Decimal | None) -> None:
        self.cost_cents = None if value is None else int(value.scaleb(2))

    @property
    def meter_name(self) -> str:
        return self.meter.name

    @property
    def type(self) -> str:
        return self.meter.type

    @property
    def unit(self) -> str:
        return self.meter.unit

    attachments = attachments_relationship("record_id")


class DailyRollup(db.Model):  # type: ignore[name-defined,misc]
    """Per (household, meter, day) aggregates, kept current in the same transaction as every write."""

    __tablename__ = "daily_rollups"

    household_id: Mapped[int] = mapped_column(ForeignKey("households.id", ondelete="CASCADE"), primary_key=True)
    meter_id: Mapped[int] = mapped_column(ForeignKey("meters.id", ondelete="CASCADE"), primary_key=True)
    date: Mapped[date_type] = mapped_column(Date, primary_key=True)
    total_milli: Mapped[int] = mapped_column(BigInteger, nullable=False)
    count: Mapped[int] = mapped_column(Integer, nullable=False)
    cost_cents: Mapped[int] = mapped_column(BigInteger, nullable=False)
    cost_count: Mapped[int] = mapped_column(Integer, nullable=False)
    # The part of total_milli without an explicit cost, which tariffs price (§11).
    uncosted_milli: Mapped[int] = mapped_column(BigInteger, nullable=False, default=0)
    min_milli: Mapped[int] = mapped_column(BigInteger, nullable=False)
    max_milli: Mapped[int] = mapped_column(BigInteger, nullable=False)

    __table_args__ = (Index("ix_daily_rollups_household_date", "household_id", "date"),)
