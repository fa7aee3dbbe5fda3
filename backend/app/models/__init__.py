"""Database models. Every row of tenant data carries household_id."""

from .auth import TokenFamily
from .household import ROLES, Household, Membership
from .meter import METER_MODES, METER_TYPES, Meter
from .outbox import OutboxMessage
from .reading import READING_KINDS, Reading
from .record import DailyRollup, Record
from .sharing import Invitation, ShareLink
from .tariff import Bill, TariffVersion
from .user import User

__all__ = [
    "METER_MODES",
    "METER_TYPES",
    "READING_KINDS",
    "ROLES",
    "Bill",
    "DailyRollup",
    "Household",
    "Invitation",
    "Membership",
    "Meter",
    "OutboxMessage",
    "Reading",
    "Record",
    "ShareLink",
    "TariffVersion",
    "TokenFamily",
    "User",
]
