"""Looking users up: the one place that knows e-mail addresses are stored normalised."""

from __future__ import annotations

from sqlalchemy import select

from ..extensions import db
from ..models import User


def normalise_email(email: str) -> str:
    return email.strip().lower()


def find_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == normalise_email(email)))
