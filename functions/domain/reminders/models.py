"""Request and response bodies of the reminders endpoints."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Literal

from pydantic import (
    Field,
)

from functions.domain.tasks.models import Instant
from functions.platform.models import Body, Row


class AbsoluteReminder(Body):
    at: Instant


class RelativeReminder(Body):
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


class ReminderList(Body):
    items: list[Reminder]
