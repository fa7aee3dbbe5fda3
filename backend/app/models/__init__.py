"""Database models. Every row of tenant data carries household_id."""

from .auth import TokenFamily
from .household import ROLES, Household, Membership
from .meter import METER_TYPES, Meter
from .outbox import OutboxMessage
from .record import DailyRollup, Record
from .sharing import Invitation, ShareLink
from .user import User

__all__ = [
    "METER_TYPES",
    "ROLES",
    "DailyRollup",
    "Household",
    "Invitation",
    "Membership",
    "Meter",
    "OutboxMessage",
    "Record",
    "ShareLink",
    "TokenFamily",
    "User",
]
