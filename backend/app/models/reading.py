from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Boolean, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .attachment import HasAttachments, attachments_relationship
from .base import Timestamps, UTCDateTime

READING_KINDS = ("reading", "replacement")


class Reading(HasAttachments, Timestamps, db.Model):  # type: ignore[name-defined,misc]
    """The value of a cumulative register at one instant (stored UTC); consumption is derived from neighbours.

    Values are integer thousandths, as record amounts are. A ``replacement`` starts a new register at
    ``value``; ``previous_final_milli`` is the old register's last value.
    """

    __tablename__ = "readings"
    __table_args__ = (
        UniqueConstraint("meter_id", "taken_at", name="uq_readings_meter_id_taken_at"),
        Index("ix_readings_household_meter_taken_at", "household_id", "meter_id", "taken_at"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("households.id", ondelete="CASCADE"), nullable=False)
    meter_id: Mapped[int] = mapped_column(ForeignKey("meters.id", ondelete="CASCADE"), nullable=False)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), nullable=True)
    taken_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    value_milli: Mapped[int] = mapped_column(BigInteger, nullable=False)
    kind: Mapped[str] = mapped_column(String(16), nullable=False, default="reading")
    previous_final_milli: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    note: Mapped[str | None] = mapped_column(String(500), nullable=True)
    # Flags, recomputed whenever a neighbour changes.
    wrapped: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    high_rate: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    attachments = attachments_relationship("reading_id")
