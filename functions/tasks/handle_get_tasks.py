"""GET /api/tasks: the caller's tasks, filtered, sorted, one keyset page at a time.

Pages are cached in Redis under the caller's generation; a cache miss or a Redis
outage simply reads PostgreSQL.
"""

from datetime import datetime
from typing import Annotated

from aws_lambda_powertools import Logger
from aws_lambda_powertools.event_handler.openapi.params import Query

from functions.taskforge import auth, tasks
from functions.taskforge.api import api_handler, create_api
from functions.taskforge.db import Connection
from functions.taskforge.dependencies import Dependencies
from functions.taskforge.settings import Settings
from functions.taskforge.task_models import SortField, SortOrder, Task, TaskPage

deps = Dependencies.from_settings(Settings.from_env())
logger = Logger(service="tasks")
app = create_api(deps.settings)


@app.get("/api/tasks", tags=["tasks"], summary="List tasks")
def get_tasks(
    completed: Annotated[bool | None, Query()] = None,
    priority: Annotated[int | None, Query(ge=1, le=3)] = None,
    due_before: Annotated[datetime | None, Query()] = None,
    due_after: Annotated[datetime | None, Query()] = None,
    q: Annotated[str | None, Query(max_length=200)] = None,
    sort: Annotated[SortField, Query()] = "created_at",
    order: Annotated[SortOrder, Query()] = "desc",
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
    cursor: Annotated[str | None, Query(max_length=1024)] = None,
) -> TaskPage:
    claims = deps.caller(app)
    query = tasks.TaskQuery(completed, priority, due_before, due_after, q, sort, order, limit, cursor)
    generation = deps.cache.generation(claims.user_id)
    key = deps.cache.key(claims.user_id, generation, "tasks", query.__dict__) if generation is not None else None

    def load(conn: Connection) -> TaskPage:
        owner = auth.ensure_current(conn, claims)
        cached = deps.cache.get_json(key) if key else None
        if cached is not None:
            return TaskPage.model_validate(cached)
        rows, next_cursor = tasks.list_page(conn, owner, query)
        page = TaskPage(items=[Task.from_row(row) for row in rows], next_cursor=next_cursor)
        if key:
            deps.cache.set_json(key, page.model_dump(mode="json"))
        return page

    return deps.database.transaction(load)


handler = api_handler(app, logger, "list-tasks")
