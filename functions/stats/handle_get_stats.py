"""GET /api/stats: totals, overdue, by priority and the completion rate, cached per generation."""

from typing import Annotated

from aws_lambda_powertools import Logger
from aws_lambda_powertools.event_handler.openapi.params import Query

from functions.taskforge import auth, tasks, workspaces
from functions.taskforge.api import api_handler, create_api
from functions.taskforge.db import Connection
from functions.taskforge.dependencies import Dependencies
from functions.taskforge.settings import Settings
from functions.taskforge.task_models import Stats

deps = Dependencies.from_settings(Settings.from_env())
logger = Logger(service="stats")
app = create_api(deps.settings)


@app.get("/api/stats", tags=["tasks"], summary="Task statistics of a workspace")
def get_stats(
    workspace_id: Annotated[str | None, Query(description="default: the personal workspace")] = None,
) -> Stats:
    claims = deps.caller(app)

    def load(conn: Connection) -> Stats:
        scope, _ = workspaces.resolve(conn, auth.ensure_current(conn, claims), workspace_id, write=False)
        # Overdue depends on the clock, so a cached answer is kept for a minute at most.
        return deps.cached(conn, scope, "stats", {}, Stats, lambda: Stats.model_validate(tasks.stats(conn, scope)),
                           ttl_seconds=60)

    return deps.database.transaction(load)


handler = api_handler(app, logger, "stats", deps.verifier)
