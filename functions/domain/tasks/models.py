"""Request and response bodies of the tasks API. Unknown fields are refused, and the
server-owned fields (id, owner, timestamps) are never accepted from a client."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    StringConstraints,
    model_validator,
)
from pydantic.json_schema import SkipJsonSchema

from functions.domain.tasks import positions
from functions.platform.models import Body, Row, TimeZone, encodable


def _not_blank(value: str) -> str:
    if not value.strip():
        raise ValueError("must not be blank")
    return value


Title = Annotated[
    str,
    StringConstraints(min_length=1, max_length=200, pattern=r"\S"),
    AfterValidator(_not_blank),
    AfterValidator(encodable),
]
Description = Annotated[str, StringConstraints(max_length=10_000), AfterValidator(encodable)]
Priority = Annotated[StrictInt, Field(ge=1, le=3, description="1 high, 2 normal, 3 low")]
Rule = Annotated[
    str,
    StringConstraints(min_length=1, max_length=500),
    AfterValidator(encodable),
    Field(description="an RFC 5545 RRULE, e.g. FREQ=WEEKLY;BYDAY=MO,WE"),
]
_UUID = r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"
Id = Annotated[str, StringConstraints(pattern=_UUID)]
SortField = Literal["created_at", "due_date", "priority", "position"]


def _order_key(value: str) -> str:
    try:
        return positions.validate(value)
    except positions.InvalidKey as exc:
        raise ValueError(str(exc)) from None


OrderKey = Annotated[
    str,
    AfterValidator(_order_key),
    Field(
        max_length=positions.MAX_LENGTH,
        description="a fractional order key (base-62, compared byte-wise); the server makes them, see `after`",
    ),
]


def _iso_only(value: object) -> object:
    # Pydantic would read 0 or "0.5" as a Unix time; an instant here is ISO 8601 text only.
    if isinstance(value, int | float) or (isinstance(value, str) and value.replace(".", "", 1).lstrip("-").isdigit()):
        raise ValueError("must be an ISO 8601 date-time with a timezone")
    return value


# Every instant stored or searched for lies in this range: PostgreSQL keeps timestamps
# Python cannot load (year 0 and before) and Python's own arithmetic stops at year 9999, so
# a due date of 0001-01-01 broke every reader of its row. The database checks it too
# (migration 0007).
EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
LATEST = datetime(9000, 12, 31, 23, 59, 59, 999_999, tzinfo=UTC)


def in_range(moment: datetime) -> bool:
    """Whether an aware instant lies within [EARLIEST, LATEST]; False where its offset would
    overflow the conversion to UTC (year 9999 west of Greenwich, year 1 east of it)."""
    try:
        return EARLIEST <= moment.astimezone(UTC) <= LATEST
    except OverflowError:
        return False


def _in_range(value: datetime) -> datetime:
    if not in_range(value):
        raise ValueError("must lie between 1970-01-01T00:00:00Z and 9000-12-31T23:59:59Z")
    return value


Instant = Annotated[
    AwareDatetime,
    BeforeValidator(_iso_only),
    AfterValidator(_in_range),
    Field(description="an ISO 8601 date-time with its offset, between 1970-01-01T00:00:00Z and 9000-12-31T23:59:59Z"),
]
SortOrder = Literal["asc", "desc"]


class TaskCreate(Body):
    title: Title
    description: Description = ""
    completed: StrictBool = False
    priority: Priority = 2
    due_date: Instant | None = None
    workspace_id: Id | None = Field(default=None, description="default: the caller's personal workspace")
    recurrence: Rule | None = None
    timezone: TimeZone | None = Field(default=None, description="for the recurrence; default: the user's")


class TaskPatch(Body):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"minProperties": 1})
    # Absent means "leave as it is"; only due_date, recurrence and timezone can be cleared with null.
    title: Title | SkipJsonSchema[None] = None
    description: Description | SkipJsonSchema[None] = None
    completed: StrictBool | SkipJsonSchema[None] = None
    priority: Priority | SkipJsonSchema[None] = None
    due_date: Instant | None = None
    workspace_id: Id | SkipJsonSchema[None] = None
    recurrence: Rule | None = None
    timezone: TimeZone | None = None
    # A move in the list's manual order: one of these three.
    after: Id | None = Field(default=None, description="go right after this task of the workspace; null: first")
    before: Id | None = Field(default=None, description="go right before this task of the workspace; null: last")
    position: OrderKey | SkipJsonSchema[None] = None

    @model_validator(mode="after")
    def _something_to_change(self) -> TaskPatch:
        if not self.model_fields_set:
            raise ValueError("send at least one field to change")
        for name in ("title", "description", "completed", "priority", "workspace_id", "position"):
            if name in self.model_fields_set and getattr(self, name) is None:
                raise ValueError(f"{name} cannot be null")
        if len(self.model_fields_set & {"after", "before", "position"}) > 1:
            raise ValueError("send one of after, before or position")
        return self


class TaskBatch(Body):
    tasks: list[TaskCreate] = Field(min_length=1, max_length=100)


MAX_BATCH_ITEMS = 100
MAX_TAG_CHANGES = 20
IfMatch = Annotated[
    str | None,
    Field(max_length=1024, description='the ETag the client holds ("<version>"); absent or "*": any version'),
]


class BatchChanges(TaskPatch):
    """What one PATCH changes, and the tags to attach or detach (tags of the task's workspace,
    after a move its new one)."""

    add_tags: list[Id] = Field(default_factory=list, max_length=MAX_TAG_CHANGES)
    remove_tags: list[Id] = Field(default_factory=list, max_length=MAX_TAG_CHANGES)

    def task_patch(self) -> TaskPatch | None:
        """The change to the task's own fields, if any."""
        fields = self.model_fields_set - {"add_tags", "remove_tags"}
        return TaskPatch.model_validate(self.model_dump(include=fields)) if fields else None


class BatchPatchItem(Body):
    id: Id
    if_match: IfMatch = None
    changes: BatchChanges


class BatchDeleteItem(Body):
    id: Id
    if_match: IfMatch = None


def _each_task_once(ids: list[str]) -> None:
    seen: set[str] = set()
    for task_id in ids:
        if task_id.lower() in seen:
            raise ValueError(f"task {task_id} is listed more than once")
        seen.add(task_id.lower())


class BatchPatch(Body):
    items: list[BatchPatchItem] = Field(min_length=1, max_length=MAX_BATCH_ITEMS)

    @model_validator(mode="after")
    def _once(self) -> BatchPatch:
        _each_task_once([item.id for item in self.items])
        return self


class BatchDelete(Body):
    items: list[BatchDeleteItem] = Field(min_length=1, max_length=MAX_BATCH_ITEMS)

    @model_validator(mode="after")
    def _once(self) -> BatchDelete:
        _each_task_once([item.id for item in self.items])
        return self


class TagRef(Body):
    id: str
    name: str
    color: str


class ChecklistProgress(Body):
    done: int
    total: int


class Task(Row):
    id: str
    title: str
    description: str
    completed: bool
    priority: int
    due_date: datetime | None
    created_at: datetime
    updated_at: datetime
    completed_at: datetime | None
    owner: str
    workspace_id: str
    recurrence: str | None
    timezone: str | None
    tags: list[TagRef]
    checklist_progress: ChecklistProgress
    position: str = Field(description="its place in the manual order (`sort=position`): compare byte-wise")
    version: int = Field(description='the ETag is "<version>": send it back as If-Match')


class TaskPage(Body):
    items: list[Task]
    next_cursor: str | None = Field(description="pass as `cursor` for the next page; null on the last page")


class TaskList(Body):
    items: list[Task]


class Stats(Body):
    total: int
    completed: int
    overdue: int
    by_priority: dict[Literal["1", "2", "3"], int]
    completion_rate: float = Field(ge=0, le=1)


class DayCounts(Body):
    day: date
    created: int = Field(ge=0)
    completed: int = Field(ge=0)


class StatsHistory(Body):
    timezone: str = Field(description="the caller's time zone, in which days begin and end")
    days: list[DayCounts] = Field(description="oldest first, today last")


class ItemProblem(Body):
    type: str = "about:blank"
    title: str
    status: int
    detail: str


class BatchItemResult(Body):
    id: str
    status: int = Field(description="200 changed, 204 deleted, else the status a single request would have had")
    etag: str | None = Field(default=None, description="the task's new ETag (changes)")
    task: Task | None = Field(default=None, description="the task as changed")
    problem: ItemProblem | None = Field(default=None, description="why this item was not applied")


class BatchResult(Body):
    items: list[BatchItemResult] = Field(description="one per item sent, in the order sent")
