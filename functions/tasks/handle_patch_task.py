"""PATCH /api/tasks/{task_id}: change some fields. If-Match guards against lost updates (412).

Completing an occurrence of a recurring task records it and moves the task to the
next occurrence.
"""

from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.event_handler import Response

from functions.taskforge import auth, tasks
from functions.taskforge.api import api_handler, create_api
from functions.taskforge.db import Connection
from functions.taskforge.dependencies import Dependencies
from functions.taskforge.settings import Settings
from functions.taskforge.task_models import Task, TaskPatch

deps = Dependencies.from_settings(Settings.from_env())
logger = Logger(service="tasks")
app = create_api(deps.settings)


@app.patch("/api/tasks/<task_id>", tags=["tasks"], summary="Change a task")
def patch_task(task_id: str, body: TaskPatch) -> Response[Task]:
    claims = deps.caller(app)
    task_id = tasks.parse_id(task_id)
    allowed = tasks.parse_if_match(app.current_event.headers.get("if-match"))
    moved_from: list[str] = []

    def change(conn: Connection) -> dict[str, Any]:
        user_id = auth.ensure_current(conn, claims)
        moved_from.append(tasks.load(conn, user_id, task_id)["workspace_id"])
        return tasks.update(conn, user_id, task_id, body, allowed)

    row = deps.database.transaction(change)
    for scope in {row["workspace_id"], *moved_from}:
        deps.cache.bump(scope)
    return Response(200, "application/json", Task.from_row(row), headers={"ETag": tasks.etag(row)})


handler = api_handler(app, logger, "patch-task", deps.verifier)
