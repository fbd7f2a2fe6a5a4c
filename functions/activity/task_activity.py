"""GET /api/tasks/{task_id}/activity: one task's events, newest first."""

from typing import Annotated

from aws_lambda_powertools import Logger
from aws_lambda_powertools.event_handler.openapi.params import Query

from functions.domain.activity import activity
from functions.domain.activity.models import ActivityItem, ActivityPage
from functions.domain.auth import auth
from functions.domain.tasks import tasks
from functions.platform.api import api_handler, create_api
from functions.platform.dependencies import Dependencies
from functions.platform.http import parse_id
from functions.platform.settings import Settings

deps = Dependencies.from_settings(Settings.from_env())
logger = Logger(service="activity")
app = create_api(deps.settings)


@app.get("/api/tasks/<task_id>/activity", tags=["activity"], summary="A task's activity")
def get_task_activity(
    task_id: str,
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
    cursor: Annotated[str | None, Query(max_length=2048)] = None,
) -> ActivityPage:
    claims = deps.caller(app)
    task_id = parse_id(task_id)
    deps.database.transaction(lambda conn: tasks.load(conn, auth.ensure_current(conn, claims), task_id))
    items, next_cursor = activity.page(deps.settings, task_id=task_id, limit=limit, cursor=cursor)
    return ActivityPage(items=[ActivityItem(**item) for item in items], next_cursor=next_cursor)


handler = api_handler(app, logger, "task-activity", deps.verifier)
