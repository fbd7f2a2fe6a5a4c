"""Response bodies of a task's versions: its history and a restore."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import ConfigDict, Field

from functions.domain.tasks.models import Task
from functions.platform.models import Body


class Actor(Body):
    id: str
    name: str = Field(description="their display name, else their e-mail address")


class VersionTag(Body):
    id: str
    name: str | None = Field(description="null when the tag belongs to a workspace the caller is not a member of")


class VersionChecklistItem(Body):
    id: str
    text: str
    done: bool


class Snapshot(Body):
    """The task as this version left it. Fields later added to tasks appear here too."""

    model_config = ConfigDict(extra="allow")
    title: str
    description: str
    completed: bool
    completed_at: datetime | None
    priority: int
    due_date: datetime | None
    workspace_id: str
    recurrence: str | None
    timezone: str | None
    tags: list[VersionTag]
    checklist: list[VersionChecklistItem] = Field(description="in order")


class TaskVersion(Body):
    version: int = Field(description="1, 2, … per task; restore it with POST …/versions/{version}/restore")
    at: datetime
    actor: Actor | None = Field(description="who made the change; null when no one is known (or they left)")
    changed: list[str] = Field(description="the fields that differ from the version before; empty for the first")
    task_version: int = Field(description="the task's version (its ETag) once this change was made")
    snapshot: Snapshot

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> TaskVersion:
        actor = Actor(id=row["actor_id"], name=row["actor_name"]) if row["actor_id"] else None
        return cls(
            version=row["version"],
            at=row["at"],
            actor=actor,
            changed=row["changed"],
            task_version=row["task_version"],
            snapshot=Snapshot(**row["snapshot"]),
        )


class TaskVersionPage(Body):
    items: list[TaskVersion] = Field(description="newest first")
    next_cursor: str | None = Field(description="pass as `cursor` for older versions; null on the last page")


class RestoredTask(Task):
    not_restored: list[str] = Field(
        description="what of the version could not be put back, in words (a tag deleted since, say)"
    )
