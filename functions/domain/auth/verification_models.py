"""Bodies of the e-mail verification endpoints."""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, Field, StringConstraints

from functions.platform.models import Body, encodable


class VerifyEmailRequest(Body):
    token: Annotated[
        str,
        StringConstraints(min_length=10, max_length=100),
        AfterValidator(encodable),
        Field(description="the token from the link in the verification e-mail"),
    ]


class EmailVerified(Body):
    email: str = Field(description="the address that is now verified")
    email_verified: bool = True


class VerificationSent(Body):
    email: str = Field(description="where the new link went")
