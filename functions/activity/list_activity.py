"""GET /api/activity: a workspace's task events, newest first, one page at a time."""

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Query

from functions.domain.activity import activity
from functions.domain.activity.models import ActivityItem, ActivityPage
from functions.domain.auth import auth
from functions.domain.workspaces import workspaces
from functions.platform.function import authenticated_api

app, deps, handler = authenticated_api(__name__)


@app.get("/api/activity", tags=["activity"], summary="A workspace's activity")
def get_activity(
    workspace_id: Annotated[str | None, Query(description="default: the personal workspace")] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
    cursor: Annotated[str | None, Query(max_length=2048)] = None,
) -> ActivityPage:
    claims = deps.caller(app)
    scope, _ = deps.database.transaction(
        lambda conn: workspaces.resolve(conn, auth.ensure_current(conn, claims), workspace_id, write=False)
    )
    items, next_cursor = activity.page(deps.settings, workspace_id=scope, limit=limit, cursor=cursor)
    return ActivityPage(items=[ActivityItem(**item) for item in items], next_cursor=next_cursor)
