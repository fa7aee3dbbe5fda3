from __future__ import annotations

from datetime import date as date_type
from datetime import datetime

from sqlalchemy import BigInteger, Date, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .attachment import HasAttachments, attachments_relationship
from .base import Timestamps, UTCDateTime, utcnow


class TariffVersion(db.Model):  # type: ignore[name-defined,misc]
    """A meter's prices from ``valid_from`` to the day before its next version.

    Prices are integer millionths (≤ 6 places) and the tax rate thousandths of a percent, so
    costs are exact sums on every dialect.
    """

    __tablename__ = "tariff_versions"
    __table_args__ = (
        UniqueConstraint("meter_id", "valid_from", name="uq_tariff_versions_meter_id_valid_from"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    household_id: Mapped[int] = mapped_column(
        ForeignKey("households.id", ondelete="CASCADE"), nullable=False, index=True
    )
    meter_id: Mapped[int] = mapped_column(ForeignKey("meters.id", ondelete="CASCADE"), nullable=False)
    valid_from: Mapped[date_type] = mapped_column(Date, nullable=False)
    unit_price_micro: Mapped[int] = mapped_column(BigInteger, nullable=False)
    standing_charge_micro: Mapped[int] = mapped_column(BigInteger, nullable=False)
    tax_pct_milli: Mapped[int] = mapped_column(Integer, nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)


class Bill(HasAttachments, Timestamps, db.Model):  # type: ignore[name-defined,misc]
    """What the supplier billed for one meter over some days, to check against the computed figures."""

    __tablename__ = "bills"
    __table_args__ = (
        Index("ix_bills_household_meter_period", "household_id", "meter_id", "period_from"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("households.id", ondelete="CASCADE"), nullable=False)
    meter_id: Mapped[int] = mapped_column(ForeignKey("meters.id", ondelete="CASCADE"), nullable=False)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), nullable=True)
    period_from: Mapped[date_type] = mapped_column(Date, nullable=False)
    period_to: Mapped[date_type] = mapped_column(Date, nullable=False)
    amount_milli: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    cost_cents: Mapped[int] = mapped_column(BigInteger, nullable=False)
    note: Mapped[str | None] = mapped_column(String(500), nullable=True)
    attachments = attachments_relationship("bill_id")
