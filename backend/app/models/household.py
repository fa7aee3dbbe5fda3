from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .base import Timestamps, UTCDateTime, utcnow

ROLES = ("viewer", "editor", "owner")  # in rising order of rights


class Household(Timestamps, db.Model):  # type: ignore[name-defined,misc]
    """The tenant: meters, records and rollups belong to a household, which users join by membership."""

    __tablename__ = "households"
    __table_args__ = {"sqlite_autoincrement": True}  # ids are never reused

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(64), nullable=False)
    timezone: Mapped[str] = mapped_column(String(64), nullable=False, default="UTC")
    currency: Mapped[str] = mapped_column(String(3), nullable=False, default="USD")
    billing_day: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    # Bumped in the transaction of every write to the household's data (services/versions.py).
    data_version: Mapped[int] = mapped_column(BigInteger, nullable=False, default=0, server_default="0")


class Membership(db.Model):  # type: ignore[name-defined,misc]
    """A user's place in a household: ``owner``, ``editor`` or ``viewer``; one per (household, user)."""

    __tablename__ = "memberships"
    __table_args__ = (Index("ix_memberships_user_id", "user_id"),)

    household_id: Mapped[int] = mapped_column(ForeignKey("households.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    role: Mapped[str] = mapped_column(String(10), nullable=False)
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)
