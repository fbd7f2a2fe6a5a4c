"""Request and response bodies of the auth endpoints. Unknown fields are refused."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Annotated, Any, Literal, Self

from pydantic import AfterValidator, BaseModel, ConfigDict, EmailStr, Field, StringConstraints


def _encodable(value: str) -> str:
    # JSON can carry lone surrogates ("\ud800"); they cannot be hashed or stored.
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("must be valid Unicode text") from None
    return value


NewPassword = Annotated[str, StringConstraints(min_length=8, max_length=128), AfterValidator(_encodable)]
GivenPassword = Annotated[str, StringConstraints(min_length=1, max_length=128), AfterValidator(_encodable)]
Email = Annotated[EmailStr, StringConstraints(max_length=254)]


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=False)


class Row(Body):
    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> Self:
        """Builds the response from a database row, taking only the fields it declares."""
        return cls(**{name: row[name] for name in cls.model_fields})


class RegisterRequest(Body):
    email: Email
    password: NewPassword
    display_name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100),
                            AfterValidator(_encodable)] | None = None


class LoginRequest(Body):
    email: Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=254),
                     AfterValidator(_encodable)]
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


class TokenPair(Body):
    access_token: str
    refresh_token: str
    token_type: Literal["Bearer"] = "Bearer"  # noqa: S105 - the scheme name, not a secret
    expires_in: int = Field(description="seconds until the access token expires")
