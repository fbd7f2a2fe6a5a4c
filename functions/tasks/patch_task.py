"""PATCH /api/tasks/{task_id}: change some fields. If-Match guards against lost updates (412);
Idempotency-Key makes a retry safe: it gets the first answer, not a 412 caused by its own
first delivery.

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
from functions.platform.idempotency import PostgresPersistenceLayer
from functions.platform.idempotent_writes import StoredResponse, run_once

app, deps, handler = authenticated_api(__name__)
persistence = PostgresPersistenceLayer(deps.database)


@app.patch("/api/tasks/<task_id>", tags=["tasks"], summary="Change a task")
def patch_task(task_id: str, body: TaskPatch) -> Response[Task]:
    claims = deps.caller(app)
    task_id = parse_id(task_id)
    headers = app.current_event.headers
    allowed = parse_if_match(headers.get("if-match"))

    def change() -> StoredResponse:
        row = publishing.transaction(
            deps, lambda conn: tasks.update(conn, auth.ensure_current(conn, claims), task_id, body, allowed)
        )
        return {"status": 200, "body": Task.from_row(row).model_dump(mode="json"), "headers": {"ETag": etag(row)}}

    # The task and the precondition belong to the request as much as the changes do.
    request = {
        "task_id": task_id,
        "if_match": headers.get("if-match"),
        "changes": body.model_dump(mode="json", exclude_unset=True),
    }
    stored = run_once(
        persistence, "patch-task", app.lambda_context, claims.user_id, headers.get("idempotency-key"), request, change
    )
    return Response(
        stored["status"], "application/json", Task.model_validate(stored["body"]), headers=stored["headers"]
    )
