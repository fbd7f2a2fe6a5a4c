"""Request and response bodies of the reminders endpoints."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, Literal

from pydantic import (
    Field,
)

from functions.domain.tasks.models import Instant
from functions.platform.models import Body, Row

Channel = Literal["account", "push"]
_CHANNEL: Any = Field(
    default="account",
    description="account: the account's webhook when one is set, else e-mail; push: the user's subscribed "
    "browsers (Web Push), or the account's channel when none is subscribed",
)


class AbsoluteReminder(Body):
    at: Instant
    channel: Channel = _CHANNEL


class RelativeReminder(Body):
    channel: Channel = _CHANNEL
    before_due: timedelta = Field(description="ISO 8601 duration before the due date, e.g. PT30M")


ReminderCreate = AbsoluteReminder | RelativeReminder


class Reminder(Row):
    id: str
    task_id: str
    at: datetime | None
    before_due: timedelta | None
    scheduled_at: datetime | None = Field(description="when the current occurrence's reminder is due")
    status: Literal["pending", "sent", "missed", "failed", "quarantined"] = Field(
        description="quarantined: set aside because it could not be processed; an operator looks into it"
    )
    sent_at: datetime | None
    channel: Channel


class ReminderList(Body):
    items: list[Reminder]
