"""Alerts already raised: the unique key is what makes each alert happen once."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .base import UTCDateTime, utcnow


class RaisedAlert(db.Model):  # type: ignore[name-defined,misc]
    """One row per alert ever raised, keyed e.g. ``budget:12:2026-11-01:threshold:80``.

    Evaluators insert with ON CONFLICT DO NOTHING; only the one whose insert took the key
    creates the notifications, however many evaluate at once or retry."""

    __tablename__ = "raised_alerts"
    __table_args__ = ({"sqlite_autoincrement": True},)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(200), nullable=False, unique=True)
    household_id: Mapped[int | None] = mapped_column(
        ForeignKey("households.id", ondelete="CASCADE"), nullable=True, index=True
    )
    kind: Mapped[str] = mapped_column(String(40), nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)
