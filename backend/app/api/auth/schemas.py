from __future__ import annotations

from importlib import resources
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, EmailStr, Field, RootModel, ValidationInfo, field_validator, model_validator

from ...models import User
from ..common import Id, OutSchema, Schema, SingleLine, Text, Timestamp

Name = Annotated[SingleLine, Field(min_length=1, max_length=100)]
Password = Annotated[str, Field(min_length=8, max_length=128)]
# The IANA zone names tzdata ships (its `zones` list), without "Factory": not the system's
# zoneinfo directory, which also holds "localtime", "posixrules" and the posix/ and right/ trees.
_TIMEZONES = frozenset(resources.files("tzdata").joinpath("zones").read_text().split()) - {"Factory"}
# ISO 4217 codes of currencies in circulation (list one, amendments to 2025): no fund codes,
# precious metals, bond units, test or "no currency" codes, and no withdrawn ones (HRK, ANG...).
_ISO_4217 = """
    AED AFN ALL AMD AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BRL BSD BTN BWP
    BYN BZD CAD CDF CHF CLP CNY COP CRC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB EUR FJD FKP
    GBP GEL GHS GIP GMD GNF GTQ GYD HKD HNL HTG HUF IDR ILS INR IQD IRR ISK JMD JOD JPY KES
    KGS KHR KMF KPW KRW KWD KYD KZT LAK LBP LKR LRD LSL LYD MAD MDL MGA MKD MMK MNT MOP MRU
    MUR MVR MWK MXN MYR MZN NAD NGN NIO NOK NPR NZD OMR PAB PEN PGK PHP PKR PLN PYG QAR RON
    RSD RUB RWF SAR SBD SCR SDG SEK SGD SHP SLE SOS SRD SSP STN SVC SYP SZL THB TJS TMT TND
    TOP TRY TTD TWD TZS UAH UGX USD UYU UZS VED VES VND VUV WST XAF XCD XCG XOF XPF YER ZAR
    ZMW ZWG
"""
_CURRENCIES = frozenset(_ISO_4217.split())


def _email(value: str) -> str:
    return value.strip().lower()


# What the e-mail validator refuses beyond the "email" format, as a pattern for the OpenAPI
# document: control characters, and the special-use top-level names (RFC 6761 and friends).
RESERVED_DOMAINS = ("arpa", "invalid", "local", "localhost", "onion", "test")
_ANY_CASE = ("".join(f"[{c.upper()}{c}]" for c in name) for name in RESERVED_DOMAINS)
EMAIL_PATTERN = "^(?!.*\\.(?:" + "|".join(_ANY_CASE) + ")$)[^\\x00-\\x1f\\x7f-\\x9f]*$"

Email = Annotated[EmailStr, Field(max_length=254, json_schema_extra={"pattern": EMAIL_PATTERN}), AfterValidator(_email)]


def _currency(value: str) -> str:
    if value not in _CURRENCIES:
        raise ValueError("must be an ISO 4217 currency code such as USD or EUR")
    return value


def _timezone(value: str) -> str:
    if value not in _TIMEZONES:
        raise ValueError("must be an IANA time zone such as UTC or Europe/Berlin")
    return value


Currency = Annotated[str, AfterValidator(_currency), Field(json_schema_extra={"enum": sorted(_CURRENCIES)})]
TimeZone = Annotated[str, AfterValidator(_timezone), Field(json_schema_extra={"enum": sorted(_TIMEZONES)})]


NotifyKind = Literal[
    "budget.threshold",
    "budget.forecast",
    "usage.anomaly",
    "reading.overdue",
    "token.expiring",
    "invitation.accepted",
    "webhook.disabled",
]


class Preferences(OutSchema):
    currency: str = "USD"
    timezone: str = "UTC"
    notify_email: dict[str, bool] = Field(
        default_factory=dict, description="Per notification kind, whether it is also e-mailed (default on)"
    )


class PreferencesUpdate(Schema):
    currency: Currency | None = None
    timezone: TimeZone | None = None
    notify_email: dict[NotifyKind, bool] | None = Field(
        default=None, description="Per notification kind, whether to e-mail it; kinds left out keep their choice"
    )


class UserOut(OutSchema):
    id: int
    email: str
    name: str
    role: Literal["user", "admin"]
    is_active: bool
    email_verified: bool
    preferences: Preferences
    default_household_id: int | None = Field(
        description="Where new meters and analytics go when no household is named; null when the user has none"
    )
    two_factor_enabled: bool = Field(default=False, description="Whether sign-in asks for a TOTP code")
    created_at: Timestamp
    updated_at: Timestamp

    @model_validator(mode="before")
    @classmethod
    def _from_user(cls, data: Any) -> Any:
        if isinstance(data, User):
            from ...services import notifications, totp

            found = {name: getattr(data, name) for name in cls.model_fields if name != "two_factor_enabled"}
            found["preferences"] = {**data.preferences, "notify_email": notifications.email_preferences(data.id)}
            return {**found, "two_factor_enabled": totp.is_enabled(data.id)}
        return data


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
    default_household_id: Id | None = Field(default=None, description="One of your households")


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


# --- two-factor sign-in -----------------------------------------------------------------------

Code = Annotated[str, Field(pattern=r"^[0-9]{6}$", description="The 6-digit code of the authenticator app")]
AnyPassword = Annotated[str, Field(min_length=1, max_length=1024)]


class MfaRequired(OutSchema):
    mfa_required: Literal[True] = True
    mfa_token: str = Field(description="For POST /api/auth/login/2fa; single use, valid expires_in seconds")
    expires_in: int


class LoginResult(RootModel[TokenPair | MfaRequired]):
    """The session, or (with two-factor sign-in on) the token of the second step."""


class MfaLoginRequest(Schema):
    mfa_token: Annotated[str, Field(min_length=1, max_length=200)]
    code: Code | None = None
    recovery_code: Annotated[str, Field(min_length=1, max_length=32)] | None = Field(
        default=None, description="One of the recovery codes, instead of code"
    )

    @model_validator(mode="after")
    def _one_of(self) -> MfaLoginRequest:
        if (self.code is None) == (self.recovery_code is None):
            raise ValueError("send either code or recovery_code")
        return self


class PasswordRequest(Schema):
    password: AnyPassword


class CodeRequest(Schema):
    code: Code


class PasswordCodeRequest(Schema):
    password: AnyPassword
    code: Code


class TwoFactorSetup(OutSchema):
    secret: str = Field(description="Base32, for typing into an authenticator app")
    otpauth_uri: str = Field(description="The same secret as an otpauth:// URI, for a QR code")


class RecoveryCodes(OutSchema):
    recovery_codes: list[str] = Field(description="10 single-use codes, shown only now")


# --- personal access tokens -------------------------------------------------------------------

Scope = Literal["read", "write"]


class TokenCreate(Schema):
    name: Annotated[SingleLine, Field(min_length=1, max_length=64)]
    scopes: Annotated[list[Scope], Field(min_length=1, max_length=2, json_schema_extra={"uniqueItems": True})] = Field(
        description="read: the GETs of meters, records, readings, analytics, bills, exports; "
        "write: their POST, PUT, PATCH and DELETE (imports and batches included)"
    )
    household_ids: Annotated[list[Id], Field(min_length=1, max_length=100)] | None = Field(
        default=None, description="The households the token may reach (default: all of yours now)"
    )
    expires_in_days: int = Field(default=90, ge=1, le=365)

    @field_validator("scopes")
    @classmethod
    def _distinct(cls, scopes: list[str]) -> list[str]:
        if len(set(scopes)) != len(scopes):
            raise ValueError("must not repeat a scope")
        return scopes


class TokenOut(OutSchema):
    id: int
    name: str
    scopes: list[Scope]
    household_ids: list[int]
    prefix: str = Field(description="The token's first characters, to recognise it")
    created_at: Timestamp
    expires_at: Timestamp
    last_used_at: Timestamp | None
    last_used_ip: str | None


class TokenCreated(OutSchema):
    id: int
    name: str
    scopes: list[Scope]
    household_ids: list[int]
    prefix: str
    token: str = Field(description="mbp_ and 40 characters: shown only now, send as Authorization: Bearer")
    created_at: Timestamp
    expires_at: Timestamp


class TokenList(OutSchema):
    items: list[TokenOut]


# --- audit log --------------------------------------------------------------------------------


class AuditOut(OutSchema):
    id: int
    at: Timestamp
    event: str
    ip: str | None
    user_agent: str | None
    details: dict[str, Any]


class AuditPage(OutSchema):
    items: list[AuditOut]
    page: int
    per_page: int
    total: int
    pages: int
