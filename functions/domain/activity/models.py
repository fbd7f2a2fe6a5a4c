"""Request and response bodies of the activity endpoints."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from functions.platform.models import Body


class ActivityItem(Body):
    id: str = Field(description="the event's id: an entry is stored once however often its event is delivered")
    type: str = Field(description="dev.taskforge.<subject>.<kind>: task, tag, checklist, member or invitation")
    task_id: str | None = Field(description="the task the event concerns; null for one of the workspace itself")
    task_deleted: bool = Field(description="whether that task has been deleted since (the summary says so too)")
    actor_id: str | None
    summary: str = Field(description="the event in words, as the caller may be told it now")
    time: str
    data: dict[str, Any] = Field(
        description="what the event recorded; the id of a tag or checklist item only while the caller may see it"
    )


class ActivityPage(Body):
    items: list[ActivityItem]
    next_cursor: str | None
