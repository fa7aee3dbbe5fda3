from __future__ import annotations

import re
from typing import Annotated, Literal
from zoneinfo import available_timezones

from pydantic import AfterValidator, EmailStr, Field, StringConstraints, ValidationInfo, field_validator

from ..common import NoControl, OutSchema, Schema, Text, Timestamp

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100), NoControl]
Password = Annotated[str, Field(min_length=8, max_length=128)]
_TIMEZONES = frozenset(available_timezones())


def _email(value: str) -> str:
    return value.strip().lower()


Email = Annotated[EmailStr, Field(max_length=254), AfterValidator(_email)]


def _currency(value: str) -> str:
    if not re.fullmatch(r"[A-Z]{3}", value):
        raise ValueError("must be a three-letter ISO 4217 code such as USD or EUR")
    return value


def _timezone(value: str) -> str:
    if value not in _TIMEZONES:
        raise ValueError("must be an IANA time zone such as UTC or Europe/Berlin")
    return value


Currency = Annotated[str, AfterValidator(_currency)]
TimeZone = Annotated[str, AfterValidator(_timezone)]


class Preferences(OutSchema):
    currency: str = "USD"
    timezone: str = "UTC"


class PreferencesUpdate(Schema):
    currency: Currency | None = None
    timezone: TimeZone | None = None


class UserOut(OutSchema):
    id: int
    email: str
    name: str
    role: Literal["user", "admin"]
    is_active: bool
    email_verified: bool
    preferences: Preferences
    created_at: Timestamp
    updated_at: Timestamp


class UserEnvelope(OutSchema):
    user: UserOut


class RegisterRequest(Schema):
    email: Email
    password: Password
    name: Name

    @field_validator("password")
    @classmethod
    def _password_not_email(cls, password: str, info: ValidationInfo) -> str:
        email = info.data.get("email")
        if email is not None and password.strip().lower() == str(email).lower():
            raise ValueError("must not be the e-mail address")
        return password


class TokenRequest(Schema):
    token: Annotated[str, Field(min_length=1, max_length=1000)]


class EmailRequest(Schema):
    email: Email


class LoginRequest(Schema):
    email: Annotated[Text, Field(min_length=1, max_length=254)]
    password: Annotated[str, Field(min_length=1, max_length=1024)]

    @field_validator("email")
    @classmethod
    def _lower(cls, value: str) -> str:
        return value.strip().lower()


class RefreshRequest(Schema):
    refresh_token: Annotated[str, Field(min_length=1, max_length=4000)] | None = None


class TokenPair(OutSchema):
    access_token: str
    refresh_token: str
    token_type: Literal["Bearer"] = "Bearer"
    expires_in: int
    user: UserOut


class MeUpdate(Schema):
    name: Name | None = None
    preferences: PreferencesUpdate | None = None


class Accepted(OutSchema):
    message: str


class ResetPasswordRequest(Schema):
    token: Annotated[str, Field(min_length=1, max_length=1000)]
    password: Password


class PasswordChangeRequest(Schema):
    current_password: Annotated[str, Field(min_length=1, max_length=1024)]
    password: Password


class DeleteAccountRequest(Schema):
    password: Annotated[str, Field(min_length=1, max_length=1024)]
