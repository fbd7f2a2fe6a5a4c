"""GET /api/tasks/{task_id}/versions: the task's versions, newest first, each with who changed
what and the task as it stood.

The page's ETag is a digest of it: If-None-Match with it gets 304 while the page is the same.
"""

from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Query

from functions.domain.auth import auth
from functions.domain.tasks import versions
from functions.domain.tasks.version_models import TaskVersion, TaskVersionPage
from functions.platform.db import Connection
from functions.platform.function import authenticated_api
from functions.platform.http import IfNoneMatch, conditional, conditional_responses, parse_id

app, deps, handler = authenticated_api(__name__)


@app.get(
    "/api/tasks/<task_id>/versions",
    tags=["tasks"],
    summary="A task's versions",
    responses=conditional_responses("A page of the task's versions, newest first"),
)
def list_task_versions(
    task_id: str,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    cursor: Annotated[str | None, Query(max_length=2048)] = None,
    if_none_match: IfNoneMatch = None,
) -> Response[TaskVersionPage]:
    claims = deps.caller(app)
    task_id = parse_id(task_id)

    def load(conn: Connection) -> TaskVersionPage:
        rows, next_cursor = versions.page(conn, auth.ensure_current(conn, claims), task_id, limit, cursor)
        return TaskVersionPage(items=[TaskVersion.from_row(row) for row in rows], next_cursor=next_cursor)

    listed = deps.database.transaction(load)
    return conditional(listed, "task-versions", {"task_id": task_id, "limit": limit, "cursor": cursor}, if_none_match)
