"""DELETE /api/tasks/{task_id}: 204. If-Match guards against deleting a changed task (412)."""

from aws_lambda_powertools.event_handler import Response

from functions.domain.activity import publishing
from functions.domain.auth import auth
from functions.domain.tasks import tasks
from functions.platform.function import authenticated_api
from functions.platform.http import parse_id, parse_if_match

app, deps, handler = authenticated_api(__name__)


@app.delete("/api/tasks/<task_id>", status_code=204, tags=["tasks"], summary="Delete a task")
def delete_task(task_id: str) -> Response[None]:
    claims = deps.caller(app)
    task_id = parse_id(task_id)
    allowed = parse_if_match(app.current_event.headers.get("if-match"))
    publishing.transaction(deps, lambda conn: tasks.delete(conn, auth.ensure_current(conn, claims), task_id, allowed))
    return Response(status_code=204)
