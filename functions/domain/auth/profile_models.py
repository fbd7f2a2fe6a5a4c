"""Bodies of the caller's own settings: the profile (PATCH /api/auth/me) and the calendar feed."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, ConfigDict, Field, StrictInt, StringConstraints, model_validator

from functions.platform.models import Body, Row, TimeZone, encodable
from functions.platform.webhooks import MAX_URL_LENGTH

DisplayName = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100), AfterValidator(encodable)
]
WebhookUrl = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_URL_LENGTH),
    AfterValidator(encodable),
    Field(description="an https:// URL on the public internet; reminders are POSTed to it"),
]


Theme = Annotated[
    Literal["system", "light", "dark"],
    Field(description="the app's colour scheme on every device: the system's, or always light or dark"),
]
DigestHour = Annotated[StrictInt, Field(ge=0, le=23, description="the hour of the daily digest, in local time")]


def not_null(schema: dict[str, Any]) -> None:
    """Documents an optional field as never null (the type says `| None` only to mean "not sent")."""
    variants = [variant for variant in schema.pop("anyOf", []) if variant.get("type") != "null"]
    if len(variants) == 1:
        schema.update(variants[0])
    schema.pop("default", None)


class ProfilePatch(Body):
    model_config = ConfigDict(json_schema_extra={"minProperties": 1})

    display_name: DisplayName | None = Field(default=None, description="null removes it")
    timezone: TimeZone | None = Field(default=None, json_schema_extra=not_null)
    reminder_webhook_url: WebhookUrl | None = Field(
        default=None, description="null removes the webhook and its secret; a new URL gets a new secret"
    )
    digest_hour: DigestHour | None = Field(default=None, json_schema_extra=not_null)
    theme: Theme | None = Field(default=None, json_schema_extra=not_null)

    @model_validator(mode="after")
    def _something_to_change(self) -> ProfilePatch:
        if not self.model_fields_set:
            raise ValueError("send at least one field to change")
        for name in ("timezone", "digest_hour", "theme"):
            if name in self.model_fields_set and getattr(self, name) is None:
                raise ValueError(f"{name} cannot be null")
        return self


class Profile(Row):
    id: str
    email: str
    display_name: str | None
    created_at: datetime
    timezone: str
    reminder_webhook_url: str | None
    digest_hour: int
    theme: Theme
    webhook_secret: str | None = Field(
        description="the key that signs webhook deliveries (X-TaskForge-Signature): shown once, in the answer "
        "that set a new webhook URL, and null otherwise"
    )


class CalendarFeed(Body):
    url: str = Field(description="the feed's secret address (iCalendar); anyone who has it can read the feed")
