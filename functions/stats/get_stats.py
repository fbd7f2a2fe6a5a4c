"""GET /api/stats: totals, overdue, by priority and the completion rate, cached per generation."""

from functools import partial
from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Query

from functions.domain.auth import auth
from functions.domain.tasks import tasks
from functions.domain.tasks.models import Stats
from functions.platform.db import Connection
from functions.platform.dependencies import Scope
from functions.platform.function import authenticated_api

app, deps, handler = authenticated_api(__name__)


@app.get("/api/stats", tags=["tasks"], summary="Task statistics of a workspace")
def get_stats(
    workspace_id: Annotated[str | None, Query(description="default: the personal workspace")] = None,
) -> Stats:
    claims = deps.caller(app)

    def compute(conn: Connection, scope: Scope) -> Stats:
        return Stats.model_validate(tasks.stats(conn, scope.workspace_id))

    access = partial(auth.read_access, claims=claims, workspace_id=workspace_id)
    # Overdue depends on the clock, so a cached answer is kept for a minute at most.
    return deps.cached(access, "stats", {}, compute, ttl_seconds=60)
