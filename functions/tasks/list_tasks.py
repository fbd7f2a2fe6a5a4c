"""GET /api/tasks: a workspace's tasks, filtered, sorted, one keyset page at a time.

Pages are cached in Redis under the workspace's generation; a cache miss or a Redis
outage simply reads PostgreSQL. The page's ETag is that generation with the query: a
client that sends it back as If-None-Match gets 304 while nothing in the workspace has
changed, without the page being read at all.
"""

from dataclasses import asdict
from functools import partial
from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Query

from functions.domain.auth import auth
from functions.domain.tasks import tasks
from functions.domain.tasks.models import Instant, SortField, SortOrder, Task, TaskPage
from functions.platform.db import Connection
from functions.platform.dependencies import Scope
from functions.platform.errors import Unprocessable
from functions.platform.function import authenticated_api
from functions.platform.http import IfNoneMatch, conditional_responses, parse_id, with_etag

app, deps, handler = authenticated_api(__name__)


@app.get("/api/tasks", tags=["tasks"], summary="List tasks", responses=conditional_responses("A page of tasks"))
def get_tasks(
    workspace_id: Annotated[str | None, Query(description="default: the personal workspace")] = None,
    completed: Annotated[bool | None, Query()] = None,
    priority: Annotated[int | None, Query(ge=1, le=3)] = None,
    due_before: Annotated[Instant | None, Query()] = None,
    due_after: Annotated[Instant | None, Query()] = None,
    q: Annotated[str | None, Query(max_length=200)] = None,
    tag: Annotated[list[str] | None, Query(description="tag ids; a task must carry all of them")] = None,
    sort: Annotated[SortField, Query()] = "created_at",
    order: Annotated[SortOrder, Query()] = "desc",
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
    cursor: Annotated[str | None, Query(max_length=1024)] = None,
    if_none_match: IfNoneMatch = None,
) -> Response[TaskPage]:
    claims = deps.caller(app)
    tag_ids = tuple(sorted({parse_id(value, "tag") for value in tag or []}))
    if len(tag_ids) > tasks.MAX_TAG_FILTERS:
        raise Unprocessable(f"filter by at most {tasks.MAX_TAG_FILTERS} tags")
    query = tasks.TaskQuery(
        completed=completed,
        priority=priority,
        due_before=due_before,
        due_after=due_after,
        q=q,
        tags=tag_ids,
        sort=sort,
        order=order,
        limit=limit,
        cursor=cursor,
    )

    def page(conn: Connection, scope: Scope) -> TaskPage:
        rows, next_cursor = tasks.list_page(conn, scope.workspace_id, query)
        return TaskPage(items=[Task.from_row(row) for row in rows], next_cursor=next_cursor)

    access = partial(auth.read_access, claims=claims, workspace_id=workspace_id)
    return with_etag(*deps.revalidated(access, "tasks", asdict(query), page, if_none_match))
