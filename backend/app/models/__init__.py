"""Database models. Every row of tenant data carries household_id."""

from .alert import RaisedAlert
from .attachment import Attachment
from .audit import AuditEvent
from .auth import AccessToken, MfaChallenge, RecoveryCode, TokenFamily, TwoFactor
from .budget import Budget
from .household import ROLES, Household, Membership
from .idempotency import IdempotencyKey
from .meter import METER_MODES, METER_TYPES, Meter
from .notification import Notification, NotificationSetting
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
    "Budget",
    "DailyRollup",
    "Household",
    "IdempotencyKey",
    "Invitation",
    "Membership",
    "Meter",
    "MfaChallenge",
    "Notification",
    "NotificationSetting",
    "OutboxMessage",
    "RaisedAlert",
    "Reading",
    "Record",
    "RecoveryCode",
    "ShareLink",
    "TariffVersion",
    "TokenFamily",
    "TwoFactor",
    "User",
]
