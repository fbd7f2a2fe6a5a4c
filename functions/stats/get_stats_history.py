"""GET /api/stats/history: tasks created and completed per day, for the completion chart."""

from functools import partial
from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Query

from functions.domain.auth import auth
from functions.domain.tasks import tasks
from functions.domain.tasks.models import StatsHistory
from functions.platform.db import Connection
from functions.platform.dependencies import Scope
from functions.platform.function import authenticated_api

app, deps, handler = authenticated_api(__name__)


@app.get("/api/stats/history", tags=["tasks"], summary="Tasks created and completed per day")
def get_stats_history(
    workspace_id: Annotated[str | None, Query(description="default: the personal workspace")] = None,
    days: Annotated[int, Query(ge=1, le=365, description="how many days, today included")] = 30,
) -> StatsHistory:
    claims = deps.caller(app)

    def compute(conn: Connection, scope: Scope) -> StatsHistory:
        return StatsHistory.model_validate(tasks.history(conn, scope.user_id, scope.workspace_id, days))

    access = partial(auth.read_access, claims=claims, workspace_id=workspace_id)
    # Keyed by the caller too: days begin and end in the caller's time zone. Kept a minute
    # at most, because today ends.
    return deps.cached(access, "history", {"user": claims.user_id, "days": days}, compute, ttl_seconds=60)
