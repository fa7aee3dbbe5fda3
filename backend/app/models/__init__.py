"""Database models. Every row a user owns carries user_id."""

from .auth import TokenFamily
from .meter import METER_TYPES, Meter
from .outbox import OutboxMessage
from .record import DailyRollup, Record
from .user import User

__all__ = ["METER_TYPES", "DailyRollup", "Meter", "OutboxMessage", "Record", "TokenFamily", "User"]
