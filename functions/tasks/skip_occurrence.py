"""POST /api/tasks/{task_id}/skip: a recurring task moves to its next occurrence, this one skipped."""

from aws_lambda_powertools.event_handler import Response

from functions.domain.activity import publishing
from functions.domain.auth import auth
from functions.domain.tasks import tasks
from functions.domain.tasks.models import Task
from functions.platform.function import authenticated_api
from functions.platform.http import etag, parse_id, parse_if_match

app, deps, handler = authenticated_api(__name__)


@app.post("/api/tasks/<task_id>/skip", tags=["tasks"], summary="Skip the current occurrence")
def post_skip(task_id: str) -> Response[Task]:
    claims = deps.caller(app)
    task_id = parse_id(task_id)
    allowed = parse_if_match(app.current_event.headers.get("if-match"))
    row = publishing.transaction(
        deps, lambda conn: tasks.skip(conn, auth.ensure_current(conn, claims), task_id, allowed)
    )
    return Response(200, "application/json", Task.from_row(row), headers={"ETag": etag(row)})
