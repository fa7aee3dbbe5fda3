"""Database models. Every row of tenant data carries household_id."""

from .attachment import Attachment
from .audit import AuditEvent
from .auth import AccessToken, MfaChallenge, RecoveryCode, TokenFamily, TwoFactor
from .household import ROLES, Household, Membership
from .idempotency import IdempotencyKey
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
    "AccessToken",
    "Attachment",
    "AuditEvent",
    "Bill",
    "DailyRollup",
    "Household",
    "IdempotencyKey",
    "Invitation",
    "Membership",
    "Meter",
    "MfaChallenge",
    "OutboxMessage",
    "Reading",
    "Record",
    "RecoveryCode",
    "ShareLink",
    "TariffVersion",
    "TokenFamily",
    "TwoFactor",
    "User",
]
