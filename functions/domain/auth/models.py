"""Request and response bodies of the auth endpoints. Unknown fields are refused."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, EmailStr, Field, StringConstraints, ValidationInfo, field_validator
from pydantic_core import PydanticCustomError

from functions.domain.auth.profile_models import not_null
from functions.platform.models import Body, Row, TimeZone, encodable
from functions.platform.passwords import weakness

NewPassword = Annotated[str, StringConstraints(min_length=8, max_length=128), AfterValidator(encodable)]
GivenPassword = Annotated[str, StringConstraints(min_length=1, max_length=128), AfterValidator(encodable)]
Email = Annotated[EmailStr, StringConstraints(max_length=254)]


def strong(password: str, email: str | None = None) -> str:
    """`password`, or a validation error saying which rule of passwords.weakness it breaks."""
    reason = weakness(password, email)
    if reason is not None:
        raise PydanticCustomError("weak_password", reason)
    return password


def _utc_when_left_out(schema: dict[str, Any]) -> None:
    not_null(schema)
    schema["description"] = "the account's IANA timezone, such as the browser's (Europe/Berlin); UTC when left out"


class RegisterRequest(Body):
    email: Email
    password: NewPassword
    display_name: (
        Annotated[
            str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100), AfterValidator(encodable)
        ]
        | None
    ) = None
    timezone: TimeZone | None = Field(default=None, json_schema_extra=_utc_when_left_out)

    @field_validator("password")
    @classmethod
    def _strong_password(cls, value: str, info: ValidationInfo) -> str:
        return strong(value, info.data.get("email"))  # no e-mail when it was invalid itself

    @field_validator("timezone")
    @classmethod
    def _not_null(cls, value: str | None) -> str:
        if value is None:
            raise ValueError("timezone cannot be null; leave it out for UTC")
        return value


class LoginRequest(Body):
    email: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=3, max_length=254), AfterValidator(encodable)
    ]
    password: GivenPassword
    device_token: Annotated[str, StringConstraints(max_length=4096)] | None = Field(
        default=None,
        description="the device_token an earlier login to this account gave this client: with it, "
        "failed logins by others do not lock this client out",
    )


class RefreshRequest(Body):
    refresh_token: Annotated[str, StringConstraints(max_length=4096)] | None = None


class ChangePasswordRequest(Body):
    current_password: GivenPassword
    new_password: NewPassword

    @field_validator("new_password")
    @classmethod
    def _strong_password(cls, value: str) -> str:
        return strong(value)  # the e-mail rule needs the account: auth.change_password applies it


class User(Row):
    id: str
    email: str
    display_name: str | None
    created_at: datetime
    timezone: str
    digest_hour: int
    theme: Literal["system", "light", "dark"] = Field(description="the app's colour scheme for this account")
    reminder_webhook_url: str | None
    email_verified: bool = Field(
        description="whether the address was proven with the link sent to it; accepting an invitation needs it"
    )


class TokenPair(Body):
    access_token: str
    refresh_token: str
    token_type: Literal["Bearer"] = "Bearer"  # noqa: S105 - the scheme name, not a secret
    expires_in: int = Field(description="seconds until the access token expires")
    device_token: str | None = Field(
        default=None,
        description="logins only: keep it and send it with the next login to this account (its "
        "failures then count for this client alone); a new password invalidates it",
    )


class PasswordChanged(Body):
    """What a password change ended besides the sessions, so the user can be told."""

    calendar_feed_revoked: bool = Field(
        description="the calendar feed URL stopped working (true when there was one); make a new one"
    )
    webhook_removed: bool = Field(
        description="the reminder webhook and its signing secret were removed (true when there was one); reminders "
        "go by e-mail until a webhook URL is set again, which gets a new secret"
    )


class PasswordResetRequest(Body):
    email: Email


class PasswordResetRequested(Body):
    """The same answer whether or not an account has the address."""

    detail: str = Field(description="what happens next; the answer never says whether an account has the address")
    expires_in: int = Field(description="seconds the link works for, once")


class ResetPasswordRequest(Body):
    new_password: NewPassword

    @field_validator("new_password")
    @classmethod
    def _strong_password(cls, value: str) -> str:
        return strong(value)  # the e-mail rule needs the account: auth.replace_password applies it
