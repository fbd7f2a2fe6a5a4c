"""POST /api/tasks/batch: create 1 to 100 tasks, all or none. Idempotency-Key makes retries safe."""

from aws_lambda_powertools.event_handler import Response

from functions.domain.activity import publishing
from functions.domain.auth import auth
from functions.domain.tasks import tasks
from functions.domain.tasks.models import Task, TaskBatch, TaskList
from functions.platform.function import authenticated_api
from functions.platform.idempotency import PostgresPersistenceLayer
from functions.platform.idempotent_writes import StoredResponse, run_once

app, deps, handler = authenticated_api(__name__)
persistence = PostgresPersistenceLayer(deps.database)


@app.post("/api/tasks/batch", status_code=201, tags=["tasks"], summary="Create tasks, all or none")
def post_tasks_batch(body: TaskBatch) -> Response[TaskList]:
    claims = deps.caller(app)

    def create() -> StoredResponse:
        rows = publishing.transaction(
            deps, lambda conn: tasks.create_many(conn, auth.ensure_current(conn, claims), body.tasks)
        )
        created = TaskList(items=[Task.from_row(row) for row in rows])
        return {"status": 201, "body": created.model_dump(mode="json"), "headers": {}}

    stored = run_once(
        persistence,
        "create-tasks-batch",
        app.lambda_context,
        claims.user_id,
        app.current_event.headers.get("idempotency-key"),
        body.model_dump(mode="json"),
        create,
    )
    return Response(
        stored["status"], "application/json", TaskList.model_validate(stored["body"]), headers=stored["headers"]
    )
