"""PATCH /api/tasks/{task_id}: change some fields. If-Match guards against lost updates (412).

Completing an occurrence of a recurring task records it and moves the task to the
next occurrence.
"""

from aws_lambda_powertools.event_handler import Response

from functions.domain.activity import publishing
from functions.domain.auth import auth
from functions.domain.tasks import tasks
from functions.domain.tasks.models import Task, TaskPatch
from functions.platform.function import authenticated_api
from functions.platform.http import etag, parse_id, parse_if_match

app, deps, handler = authenticated_api(__name__)


@app.patch("/api/tasks/<task_id>", tags=["tasks"], summary="Change a task")
def patch_task(task_id: str, body: TaskPatch) -> Response[Task]:
    claims = deps.caller(app)
    task_id = parse_id(task_id)
    allowed = parse_if_match(app.current_event.headers.get("if-match"))
    row = publishing.transaction(
        deps, lambda conn: tasks.update(conn, auth.ensure_current(conn, claims), task_id, body, allowed)
    )
    return Response(200, "application/json", Task.from_row(row), headers={"ETag": etag(row)})
