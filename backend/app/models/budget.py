"""Budgets: a limit on a meter's or a type's consumption (or cost) per month or billing period."""

from __future__ import annotations

from sqlalchemy import JSON, BigInteger, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .base import Timestamps


class Budget(Timestamps, db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "budgets"
    __table_args__ = ({"sqlite_autoincrement": True},)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    household_id: Mapped[int] = mapped_column(
        ForeignKey("households.id", ondelete="CASCADE"), nullable=False, index=True
    )
    name: Mapped[str] = mapped_column(String(64), nullable=False)
    # Exactly one of meter_id and type (the service and the request model hold to it).
    meter_id: Mapped[int | None] = mapped_column(ForeignKey("meters.id", ondelete="CASCADE"), nullable=True)
    type: Mapped[str | None] = mapped_column(String(16), nullable=True)
    period: Mapped[str] = mapped_column(String(16), nullable=False)
    # Exactly one limit: thousandths of the meter's unit (or the type's canonical unit), or cents.
    limit_milli: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    limit_cents: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    thresholds: Mapped[list[int]] = mapped_column(JSON, nullable=False)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), nullable=True)
