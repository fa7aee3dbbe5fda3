from __future__ import annotations

from sqlalchemy import BigInteger, Boolean, ForeignKey, Index, Integer, String, UniqueConstraint, func
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from ..services.units import METER_TYPES
from .base import Timestamps

METER_MODES = ("consumption", "readings")

__all__ = ["METER_MODES", "METER_TYPES", "Meter"]


class Meter(Timestamps, db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "meters"
    __table_args__ = (
        UniqueConstraint("household_id", "name", name="uq_meters_household_id_name"),
        {"sqlite_autoincrement": True},  # ids are never reused (migration 0004)
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    household_id: Mapped[int] = mapped_column(
        ForeignKey("households.id", ondelete="CASCADE"), nullable=False, index=True
    )
    name: Mapped[str] = mapped_column(String(64), nullable=False)
    type: Mapped[str] = mapped_column(String(16), nullable=False)
    unit: Mapped[str] = mapped_column(String(16), nullable=False)
    archived: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    # ``consumption``: records of amounts; ``readings``: register values, consumption derived (§10).
    mode: Mapped[str] = mapped_column(String(16), nullable=False, default="consumption")
    # Readings meters only, in thousandths of the unit: where the register wraps to 0, and the
    # plausible most per day (flag ``high_rate`` above it).
    rollover_at_milli: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    max_per_day_milli: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    # Alerts (§12), null turns each off: a day above this many thousandths x the median of the
    # 28 days before it is an anomaly; a readings meter unread this many days is overdue.
    anomaly_factor_milli: Mapped[int | None] = mapped_column(Integer, nullable=True, default=3000)
    reading_reminder_days: Mapped[int | None] = mapped_column(Integer, nullable=True, default=35)


# Names are unique per household ignoring case, which the service checks and this enforces (two
# requests at once, or an import creating a meter, cannot slip past the check).
Index("uq_meters_household_id_lower_name", Meter.household_id, func.lower(Meter.name), unique=True)
