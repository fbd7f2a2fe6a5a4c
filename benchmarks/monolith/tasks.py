"""The three task endpoints: GET /api/tasks, GET /api/tasks/<id>, POST /api/tasks.

Same JSON as TaskForge's, field for field; same authorization (workspace membership: a
task or workspace the caller is not a member of does not exist, 404; a viewer cannot
write, 403); same keyset pages (an opaque cursor bound to the query, next_cursor null on
the last page). GET /api/tasks supports workspace_id, completed, priority, sort, order,
limit and cursor; search (q), tag and due-date filters and recurring tasks are not part
of this baseline.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re
import uuid
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Annotated, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask import Blueprint, Response, current_app, request
from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    StringConstraints,
    ValidationError,
)
from sqlalchemy import ColumnElement, and_, cast, func, literal, select, tuple_
from sqlalchemy.orm import joinedload, selectinload, undefer

from .auth import current_user
from .cache import PageCache
from .errors import ApiError
from .models import Id, Instant, Membership, OutboxEvent, Task, User, Workspace, db

bp = Blueprint("tasks", __name__)

WRITERS = ("owner", "editor")
SORTS = ("created_at", "due_date", "priority")
ORDERS = ("asc", "desc")
INVALID_CURSOR = "the cursor is not valid; start again without it"
EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
LATEST = datetime(9000, 12, 31, 23, 59, 59, 999_999, tzinfo=UTC)
_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
_TRUE, _FALSE = {"true", "1", "yes", "on", "t", "y"}, {"false", "0", "no", "off", "f", "n"}


# ---------------------------------------------------------------- the JSON of a task


def instant(moment: datetime | None) -> str | None:
    """ISO 8601 with its offset, UTC written Z."""
    if moment is None:
        return None
    text = moment.isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def task_json(task: Task, new: bool = False) -> dict[str, Any]:
    """A task as the API shows it; `new`: just inserted, so it has no tags and no checklist yet."""
    tags = [] if new else [{"id": tag.id, "name": tag.name, "color": tag.color} for tag in task.tags]
    done, total = (0, 0) if new else (task.checklist_done, task.checklist_total)
    return {
        "id": task.id,
        "title": task.title,
        "description": task.description,
        "completed": task.completed,
        "priority": task.priority,
        "due_date": instant(task.due_date),
        "created_at": instant(task.created_at),
        "updated_at": instant(task.updated_at),
        "completed_at": instant(task.completed_at),
        "owner": task.owner_id,
        "workspace_id": task.workspace_id,
        "recurrence": task.recurrence,
        "timezone": task.timezone,
        "tags": tags,
        "checklist_progress": {"done": done, "total": total},
        "version": task.version,
        "position": task.position,
    }


def json_body(value: Any) -> bytes:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode()


def etag(task: Task) -> str:
    return f'"{task.version}"'


def _with_details(one: bool = False) -> Any:
    """Loader options of a task as the API shows it: its checklist's counts in the task's own
    query, and its tags: joined for one task, in one more query (IN the page's ids) for a page."""
    tags = joinedload(Task.tags) if one else selectinload(Task.tags)
    return (tags, undefer(Task.checklist_done), undefer(Task.checklist_total))


# ---------------------------------------------------------------- authorization


def workspace_of(user: User, workspace_id: str | None, write: bool) -> tuple[str, int]:
    """The workspace a request addresses (default: the caller's personal one) and its cache
    generation, in one query; 404 for non-members, 403 for a viewer's write."""
    statement = select(Workspace.id, Workspace.cache_generation, Membership.role).join(
        Membership, and_(Membership.workspace_id == Workspace.id, Membership.user_id == user.id)
    )
    if workspace_id is None:
        statement = statement.where(Workspace.created_by == user.id, Workspace.personal)
    elif _UUID.match(workspace_id):
        statement = statement.where(Workspace.id == workspace_id)
    else:
        raise ApiError(404, "no such workspace")
    row = db.session.execute(statement).one_or_none()
    if row is None:
        raise ApiError(404, "no such workspace" if workspace_id else "the personal workspace is missing")
    if write and row.role not in WRITERS:
        raise ApiError(403, f"a {row.role} cannot change this workspace")
    return str(row.id), int(row.cache_generation)


# ---------------------------------------------------------------- GET /api/tasks


@dataclass(frozen=True)
class ListQuery:
    workspace_id: str | None
    completed: bool | None
    priority: int | None
    sort: str
    order: str
    limit: int
    cursor: str | None

    def filters(self) -> dict[str, Any]:
        return {"completed": self.completed, "priority": self.priority, "sort": self.sort, "order": self.order}

    def digest(self) -> str:
        return hashlib.sha256(json.dumps(self.filters(), sort_keys=True).encode()).hexdigest()[:16]


def _query_errors() -> tuple[ListQuery, list[dict[str, Any]]]:
    args = request.args
    errors: list[dict[str, Any]] = []

    def problem(name: str, message: str) -> None:
        errors.append({"loc": ["query", name], "msg": message, "type": "value_error"})

    def integer(name: str, default: int | None, low: int, high: int) -> int | None:
        raw = args.get(name)
        if raw is None:
            return default
        try:
            value = int(raw)
        except ValueError:
            problem(name, "Input should be a valid integer")
            return default
        if not low <= value <= high:
            problem(name, f"Input should be between {low} and {high}")
        return value

    completed: bool | None = None
    if "completed" in args:
        raw = args["completed"].lower()
        if raw in _TRUE or raw in _FALSE:
            completed = raw in _TRUE
        else:
            problem("completed", "Input should be a valid boolean")
    sort, order = args.get("sort", "created_at"), args.get("order", "desc")
    if sort not in SORTS:
        problem("sort", f"Input should be one of {', '.join(SORTS)}")
    if order not in ORDERS:
        problem("order", "Input should be 'asc' or 'desc'")
    cursor = args.get("cursor")
    if cursor is not None and len(cursor) > 1024:
        problem("cursor", "String should have at most 1024 characters")
    query = ListQuery(
        workspace_id=args.get("workspace_id"),
        completed=completed,
        priority=integer("priority", None, 1, 3),
        sort=sort,
        order=order,
        limit=integer("limit", 50, 1, 100) or 50,
        cursor=cursor,
    )
    return query, errors


def _sort_expression(sort: str) -> ColumnElement[Any]:
    if sort == "due_date":  # tasks without a due date after every dated one (index tasks_workspace_due)
        return func.coalesce(Task.due_date, literal("infinity", Instant))
    return Task.priority if sort == "priority" else Task.created_at  # type: ignore[return-value]


def _sort_key(task: Task, sort: str) -> Any:
    if sort == "priority":
        return task.priority
    moment = task.due_date if sort == "due_date" else task.created_at
    return moment.isoformat() if moment is not None else "infinity"


def _encode_cursor(query: ListQuery, task: Task) -> str:
    position = [query.sort, query.order, _sort_key(task, query.sort), task.id, query.digest()]
    return base64.urlsafe_b64encode(json.dumps(position).encode()).decode().rstrip("=")


def _decode_cursor(query: ListQuery) -> tuple[Any, str]:
    assert query.cursor is not None
    try:
        raw = base64.urlsafe_b64decode(query.cursor + "=" * (-len(query.cursor) % 4))
        sort, order, key, last_id, digest = json.loads(raw)
        uuid.UUID(last_id)
        if query.sort == "priority":
            if not isinstance(key, int) or isinstance(key, bool):
                raise ValueError
        elif not isinstance(key, str) or (key != "infinity" and datetime.fromisoformat(key).tzinfo is None):
            raise ValueError
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError, RecursionError):
        raise ApiError(400, INVALID_CURSOR) from None
    if (sort, order, digest) != (query.sort, query.order, query.digest()):
        raise ApiError(400, "the cursor belongs to a different query; start again without it")
    return key, last_id


def list_page(workspace_id: str, query: ListQuery) -> dict[str, Any]:
    """One page in keyset order: an index descent and limit + 1 rows, whatever the depth."""
    sort = _sort_expression(query.sort)
    descending = query.order == "desc"
    statement = select(Task).options(*_with_details()).where(Task.workspace_id == workspace_id)
    if query.completed is not None:
        statement = statement.where(Task.completed == query.completed)
    if query.priority is not None:
        statement = statement.where(Task.priority == query.priority)
    if query.cursor:
        key, last_id = _decode_cursor(query)
        bound = literal(key) if query.sort == "priority" else cast(literal(key), Instant)
        after = tuple_(sort, Task.id), tuple_(bound, cast(literal(last_id), Id))
        statement = statement.where(after[0] < after[1] if descending else after[0] > after[1])
    ordering = (sort.desc(), Task.id.desc()) if descending else (sort.asc(), Task.id.asc())
    tasks = list(db.session.scalars(statement.order_by(*ordering).limit(query.limit + 1)))
    next_cursor = None
    if len(tasks) > query.limit:
        tasks = tasks[: query.limit]
        next_cursor = _encode_cursor(query, tasks[-1])
    return {"items": [task_json(task) for task in tasks], "next_cursor": next_cursor}


@bp.get("/api/tasks")
def get_tasks() -> Response:
    query, errors = _query_errors()
    if errors:
        raise ApiError(422, "the request is invalid", errors=errors)
    user = current_user()
    workspace_id, generation = workspace_of(user, query.workspace_id, write=False)
    cache: PageCache = current_app.extensions["page_cache"]
    key = cache.key(workspace_id, generation, "tasks", {**asdict(query), "workspace_id": None})
    # The page's ETag stands for what its key does (workspace, generation, query): a client
    # that sends it back gets 304 while nothing in the workspace has changed, unread.
    tag = hashlib.sha256(key.encode()).hexdigest()[:32]
    if request.if_none_match.contains_weak(tag):
        return Response(status=304, headers={"ETag": f'"{tag}"'})
    body = cache.get(key)
    if body is None:
        body = json_body(list_page(workspace_id, query))
        cache.put(key, body)
    return Response(body, mimetype="application/json", headers={"ETag": f'"{tag}"'})


# ---------------------------------------------------------------- GET /api/tasks/<id>


@bp.get("/api/tasks/<task_id>")
def get_task(task_id: str) -> Response:
    if not _UUID.match(task_id):
        raise ApiError(404, "no such task")
    user = current_user()
    statement = (
        select(Task)
        .options(*_with_details(one=True))
        .join(Membership, and_(Membership.workspace_id == Task.workspace_id, Membership.user_id == user.id))
        .where(Task.id == task_id)
    )
    task = db.session.scalars(statement).unique().one_or_none()
    if task is None:
        raise ApiError(404, "no such task")
    return Response(json_body(task_json(task)), mimetype="application/json", headers={"ETag": etag(task)})


# ---------------------------------------------------------------- POST /api/tasks


def _not_blank(value: str) -> str:
    if not value.strip():
        raise ValueError("must not be blank")
    return value


def _storable(value: str) -> str:
    if "\x00" in value:
        raise ValueError("must not contain NUL characters")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("must be valid Unicode text") from None
    return value


def _iso_only(value: object) -> object:
    if isinstance(value, int | float) or (isinstance(value, str) and value.replace(".", "", 1).lstrip("-").isdigit()):
        raise ValueError("must be an ISO 8601 date-time with a timezone")
    return value


def _in_range(value: datetime) -> datetime:
    try:
        inside = EARLIEST <= value.astimezone(UTC) <= LATEST
    except OverflowError:
        inside = False
    if not inside:
        raise ValueError("must lie between 1970-01-01T00:00:00Z and 9000-12-31T23:59:59Z")
    return value


class TaskIn(BaseModel):
    """The body of POST /api/tasks: unknown fields refused, server-owned fields never accepted."""

    model_config = ConfigDict(extra="forbid")

    title: Annotated[
        str,
        StringConstraints(min_length=1, max_length=200, pattern=r"\S"),
        AfterValidator(_not_blank),
        AfterValidator(_storable),
    ]
    description: Annotated[str, StringConstraints(max_length=10_000), AfterValidator(_storable)] = ""
    completed: StrictBool = False
    priority: Annotated[StrictInt, Field(ge=1, le=3)] = 2
    due_date: Annotated[AwareDatetime, BeforeValidator(_iso_only), AfterValidator(_in_range)] | None = None
    workspace_id: Annotated[str, StringConstraints(pattern=_UUID.pattern)] | None = None
    recurrence: None = None  # recurring tasks are not part of this baseline
    timezone: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)] | None = None


def _body() -> TaskIn:
    media = (request.content_type or "application/json").split(";")[0].strip().lower()
    if request.get_data() and media != "application/json" and not media.endswith("+json"):
        raise ApiError(415, "send the body as application/json")
    try:
        parsed = json.loads(request.get_data() or b"null")
    except RecursionError:
        raise ApiError(400, "the body is nested too deeply") from None
    except ValueError:
        raise ApiError(422, "the request is invalid", errors=[{"loc": ["body"], "msg": "Invalid JSON"}]) from None
    if not isinstance(parsed, dict):
        raise ApiError(422, "the body must be a JSON object")
    try:
        return TaskIn.model_validate(parsed)
    except ValidationError as error:
        problems = [
            {"loc": ["body", *item["loc"]], "msg": item["msg"], "type": item["type"]} for item in error.errors()
        ]
        raise ApiError(422, "the request is invalid", errors=problems) from None


@bp.post("/api/tasks")
def post_task() -> Response:
    body = _body()
    user = current_user()
    workspace_id, _ = workspace_of(user, body.workspace_id, write=True)
    timezone = body.timezone or user.timezone
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ApiError(422, f"unknown time zone: {timezone}") from None
    task = Task(
        owner_id=user.id,
        workspace_id=workspace_id,
        title=body.title,
        description=body.description,
        completed=body.completed,
        priority=body.priority,
        due_date=body.due_date,
        completed_at=func.clock_timestamp() if body.completed else None,
        timezone=timezone,
    )
    db.session.add(task)
    db.session.flush()  # INSERT ... RETURNING the id, timestamps and version
    data = {
        "task_id": task.id,
        "title": task.title,
        "workspace_id": workspace_id,
        "due_date": task.due_date.isoformat() if task.due_date else None,
    }
    db.session.add(
        OutboxEvent(
            type="dev.taskforge.task.created",
            workspace_id=workspace_id,
            task_id=task.id,
            actor_id=user.id,
            data=data,
            published_at=func.clock_timestamp(),
        )
    )
    payload = task_json(task, new=True)
    db.session.commit()  # the task and its event, or neither
    return Response(
        json_body(payload),
        status=201,
        mimetype="application/json",
        headers={"Location": f"/api/tasks/{payload['id']}", "ETag": f'"{payload["version"]}"'},
    )
