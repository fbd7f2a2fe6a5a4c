"""GET /api/stats/history: tasks created and completed per day, for the completion chart."""

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Query

from functions.domain.auth import auth
from functions.domain.tasks import tasks
from functions.domain.tasks.models import StatsHistory
from functions.domain.workspaces import workspaces
from functions.platform.db import Connection
from functions.platform.function import authenticated_api

app, deps, handler = authenticated_api(__name__)


@app.get("/api/stats/history", tags=["tasks"], summary="Tasks created and completed per day")
def get_stats_history(
    workspace_id: Annotated[str | None, Query(description="default: the personal workspace")] = None,
    days: Annotated[int, Query(ge=1, le=365, description="how many days, today included")] = 30,
) -> StatsHistory:
    claims = deps.caller(app)

    def load(conn: Connection) -> StatsHistory:
        user_id = auth.ensure_current(conn, claims)
        scope, _ = workspaces.resolve(conn, user_id, workspace_id, write=False)
        # Keyed by the caller too: days begin and end in the caller's time zone. Kept a minute
        # at most, because today ends.
        return deps.cached(
            conn,
            scope,
            "history",
            {"user": user_id, "days": days},
            StatsHistory,
            lambda: StatsHistory.model_validate(tasks.history(conn, user_id, scope, days)),
            ttl_seconds=60,
        )

    return deps.database.transaction(load)
