"""GET /api/tasks/{task_id}/activity: one task's events, newest first.

The page's ETag is a digest of it: If-None-Match with it gets 304 while the page is the same.
"""

from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Query

from functions.domain.activity import activity
from functions.domain.activity.models import ActivityItem, ActivityPage
from functions.domain.auth import auth
from functions.domain.tasks import tasks
from functions.platform.db import Connection
from functions.platform.function import authenticated_api
from functions.platform.http import IfNoneMatch, conditional, conditional_responses, parse_id

app, deps, handler = authenticated_api(__name__)


@app.get(
    "/api/tasks/<task_id>/activity",
    tags=["activity"],
    summary="A task's activity",
    responses=conditional_responses("A page of the task's events, newest first"),
)
def get_task_activity(
    task_id: str,
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
    cursor: Annotated[str | None, Query(max_length=2048)] = None,
    if_none_match: IfNoneMatch = None,
) -> Response[ActivityPage]:
    claims = deps.caller(app)
    task_id = parse_id(task_id)

    def load(conn: Connection) -> ActivityPage:
        user_id = auth.ensure_current(conn, claims)
        tasks.load(conn, user_id, task_id)
        items, next_cursor = activity.page(deps.settings, task_id=task_id, limit=limit, cursor=cursor)
        shown = activity.as_read_by(conn, user_id, items)
        return ActivityPage(items=[ActivityItem(**item) for item in shown], next_cursor=next_cursor)

    listed = deps.database.transaction(load)
    return conditional(listed, "task-activity", {"task_id": task_id, "limit": limit, "cursor": cursor}, if_none_match)
