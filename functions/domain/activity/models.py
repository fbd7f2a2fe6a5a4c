"""Request and response bodies of the activity endpoints."""

from __future__ import annotations

from typing import Any

from functions.platform.models import Body


class ActivityItem(Body):
    id: str
    type: str
    task_id: str
    actor_id: str | None
    summary: str
    time: str
    data: dict[str, Any]


class ActivityPage(Body):
    items: list[ActivityItem]
    next_cursor: str | None
