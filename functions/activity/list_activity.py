"""GET /api/activity: a workspace's events, newest first, one page at a time.

The page's ETag is a digest of it: If-None-Match with it gets 304 while the page is the same.
"""

from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Query

from functions.domain.activity import activity
from functions.domain.activity.models import ActivityItem, ActivityPage
from functions.domain.auth import auth
from functions.domain.workspaces import workspaces
from functions.platform.db import Connection
from functions.platform.function import authenticated_api
from functions.platform.http import IfNoneMatch, conditional, conditional_responses

app, deps, handler = authenticated_api(__name__)


@app.get(
    "/api/activity",
    tags=["activity"],
    summary="A workspace's activity",
    responses=conditional_responses("A page of the workspace's events, newest first"),
)
def get_activity(
    workspace_id: Annotated[str | None, Query(description="default: the personal workspace")] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
    cursor: Annotated[str | None, Query(max_length=2048)] = None,
    if_none_match: IfNoneMatch = None,
) -> Response[ActivityPage]:
    claims = deps.caller(app)

    def load(conn: Connection) -> tuple[str, ActivityPage]:
        user_id = auth.ensure_current(conn, claims)
        scope, _ = workspaces.resolve(conn, user_id, workspace_id, write=False)
        items, next_cursor = activity.page(deps.settings, workspace_id=scope, limit=limit, cursor=cursor)
        shown = activity.as_read_by(conn, user_id, items)
        return scope, ActivityPage(items=[ActivityItem(**item) for item in shown], next_cursor=next_cursor)

    scope, listed = deps.database.transaction(load)
    return conditional(listed, "activity", {"workspace_id": scope, "limit": limit, "cursor": cursor}, if_none_match)
