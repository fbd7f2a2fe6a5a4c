"""GET /api/stats: totals, overdue, by priority and the completion rate, cached per generation."""

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Query

from functions.domain.auth import auth
from functions.domain.tasks import tasks
from functions.domain.tasks.models import Stats
from functions.domain.workspaces import workspaces
from functions.platform.db import Connection
from functions.platform.function import authenticated_api

app, deps, handler = authenticated_api(__name__)


@app.get("/api/stats", tags=["tasks"], summary="Task statistics of a workspace")
def get_stats(
    workspace_id: Annotated[str | None, Query(description="default: the personal workspace")] = None,
) -> Stats:
    claims = deps.caller(app)

    def load(conn: Connection) -> Stats:
        scope, _ = workspaces.resolve(conn, auth.ensure_current(conn, claims), workspace_id, write=False)
        # Overdue depends on the clock, so a cached answer is kept for a minute at most.
        return deps.cached(
            conn, scope, "stats", {}, Stats, lambda: Stats.model_validate(tasks.stats(conn, scope)), ttl_seconds=60
        )

    return deps.database.transaction(load)
