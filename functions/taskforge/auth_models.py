"""Request and response bodies of the auth endpoints. Unknown fields are refused."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, EmailStr, Field, StringConstraints

from .models import Body, Row, encodable

NewPassword = Annotated[str, StringConstraints(min_length=8, max_length=128), AfterValidator(encodable)]
GivenPassword = Annotated[str, StringConstraints(min_length=1, max_length=128), AfterValidator(encodable)]
Email = Annotated[EmailStr, StringConstraints(max_length=254)]


class RegisterRequest(Body):
    email: Email
    password: NewPassword
    display_name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100),
                            AfterValidator(encodable)] | None = None


class LoginRequest(Body):
    email: Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=254),
                     AfterValidator(encodable)]
    password: GivenPassword


class RefreshRequest(Body):
    refresh_token: Annotated[str, StringConstraints(max_length=4096)] | None = None


class ChangePasswordRequest(Body):
    current_password: GivenPassword
    new_password: NewPassword


class User(Row):
    id: str
    email: str
    display_name: str | None
    created_at: datetime
    timezone: str
    digest_hour: int
    reminder_webhook_url: str | None


class TokenPair(Body):
    access_token: str
    refresh_token: str
    token_type: Literal["Bearer"] = "Bearer"  # noqa: S105 - the scheme name, not a secret
    expires_in: int = Field(description="seconds until the access token expires")
