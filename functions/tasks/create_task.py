"""POST /api/tasks: create a task. 201 with Location and ETag; Idempotency-Key makes retries safe."""

from typing import Any

from aws_lambda_powertools.event_handler import Response

from functions.domain.activity import publishing
from functions.domain.tasks import tasks
from functions.domain.tasks.models import Task, TaskCreate
from functions.platform.function import authenticated_api
from functions.platform.http import etag
from functions.platform.idempotency import PostgresPersistenceLayer
from functions.platform.idempotent_writes import StoredResponse, run_once

app, deps, handler = authenticated_api(__name__)
persistence = PostgresPersistenceLayer(deps.database)


@app.post("/api/tasks", status_code=201, tags=["tasks"], summary="Create a task")
def post_task(body: TaskCreate) -> Response[Task]:
    claims = deps.caller(app)

    def create() -> StoredResponse:
        row = publishing.transaction(
            deps,
            lambda conn: tasks.create(conn, claims, body),
            pipelined=True,
        )
        task = Task.from_row(row)
        return {
            "status": 201,
            "body": task.model_dump(mode="json"),
            "headers": {"Location": f"/api/tasks/{task.id}", "ETag": etag(row)},
        }

    stored = run_once(
        persistence,
        "create-task",
        app.lambda_context,
        claims.user_id,
        app.current_event.headers.get("idempotency-key"),
        body.model_dump(mode="json"),
        create,
    )
    return _response(stored)


def _response(stored: dict[str, Any]) -> Response[Task]:
    return Response(
        stored["status"], "application/json", Task.model_validate(stored["body"]), headers=stored["headers"]
    )
