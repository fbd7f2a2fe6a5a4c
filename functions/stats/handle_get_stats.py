"""GET /api/stats: totals, overdue, by priority and the completion rate, cached per generation."""

from aws_lambda_powertools import Logger

from functions.taskforge import auth, tasks
from functions.taskforge.api import api_handler, create_api
from functions.taskforge.db import Connection
from functions.taskforge.dependencies import Dependencies
from functions.taskforge.settings import Settings
from functions.taskforge.task_models import Stats

deps = Dependencies.from_settings(Settings.from_env())
logger = Logger(service="stats")
app = create_api(deps.settings)


@app.get("/api/stats", tags=["tasks"], summary="Task statistics")
def get_stats() -> Stats:
    claims = deps.caller(app)
    generation = deps.cache.generation(claims.user_id)
    # Overdue depends on the clock, so a cached answer is kept for a minute at most.
    key = deps.cache.key(claims.user_id, generation, "stats", {}) if generation is not None else None

    def load(conn: Connection) -> Stats:
        owner = auth.ensure_current(conn, claims)
        cached = deps.cache.get_json(key) if key else None
        if cached is not None:
            return Stats.model_validate(cached)
        stats = Stats.model_validate(tasks.stats(conn, owner))
        if key:
            deps.cache.set_json(key, stats.model_dump(mode="json"), ttl_seconds=60)
        return stats

    return deps.database.transaction(load)


handler = api_handler(app, logger, "stats")
