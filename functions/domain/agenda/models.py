"""Response bodies of the agenda API."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import Field

from functions.domain.tasks.models import Task
from functions.platform.models import Body

View = Literal["today", "upcoming", "inbox"]


class AgendaTask(Task):
    workspace_name: str
    workspace_personal: bool


class Agenda(Body):
    view: View
    timezone: str = Field(description="the caller's time zone, in which days begin and end")
    today: date = Field(description="the caller's day, in that time zone")
    items: list[AgendaTask] = Field(
        description="today: overdue first, then today's, by due date; upcoming: by due date;"
        " inbox: newest first. Open tasks only unless completed=true"
    )
    truncated: bool = Field(description="true when more tasks matched than `limit`; the first `limit` are listed")


class AgendaCounts(Body):
    timezone: str
    today: int = Field(ge=0, description="open tasks due today or overdue")
    overdue: int = Field(ge=0, description="open tasks due before now")
    upcoming: int = Field(ge=0, description="open tasks due today or in the 13 days after it")
    inbox: int = Field(ge=0, description="open tasks without a due date in the personal workspace")
