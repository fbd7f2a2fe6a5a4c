"""DELETE /api/tasks/{task_id}: 204. If-Match guards against deleting a changed task (412);
Idempotency-Key makes a retry safe: it gets the first 204, not a 404 because the task is gone."""

from aws_lambda_powertools.event_handler import Response

from functions.domain.activity import publishing
from functions.domain.auth import auth
from functions.domain.tasks import tasks
from functions.platform.function import authenticated_api
from functions.platform.http import parse_id, parse_if_match
from functions.platform.idempotency import PostgresPersistenceLayer
from functions.platform.idempotent_writes import StoredResponse, run_once

app, deps, handler = authenticated_api(__name__)
persistence = PostgresPersistenceLayer(deps.database)


@app.delete("/api/tasks/<task_id>", status_code=204, tags=["tasks"], summary="Delete a task")
def delete_task(task_id: str) -> Response[None]:
    claims = deps.caller(app)
    task_id = parse_id(task_id)
    headers = app.current_event.headers
    allowed = parse_if_match(headers.get("if-match"))

    def delete() -> StoredResponse:
        publishing.transaction(
            deps, lambda conn: tasks.delete(conn, auth.ensure_current(conn, claims), task_id, allowed)
        )
        return {"status": 204, "body": None, "headers": {}}

    request = {"task_id": task_id, "if_match": headers.get("if-match")}
    stored = run_once(
        persistence, "delete-task", app.lambda_context, claims.user_id, headers.get("idempotency-key"), request, delete
    )
    return Response(stored["status"], headers=stored["headers"])
