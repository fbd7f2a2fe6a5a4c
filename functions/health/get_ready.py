"""GET /ready (and /api/ready, through CloudFront): 200 when the database answers, 503
(problem+json, Retry-After) when it does not."""

from typing import Literal

from aws_lambda_powertools.event_handler import Response
from pydantic import BaseModel

from functions.platform.cache import Cache
from functions.platform.db import Database
from functions.platform.function import probe
from functions.platform.health import dependency_checks, is_ready
from functions.platform.http import problem_response
from functions.platform.settings import Settings

app, handler = probe(__name__)
settings = Settings.from_env()
database = Database.for_settings(settings)
cache = Cache(settings)


class ReadyStatus(BaseModel):
    status: Literal["ready"]
    checks: dict[str, str]


@app.get("/ready")
@app.get("/api/ready")  # the same, on the path CloudFront forwards to the API
def get_ready() -> Response[ReadyStatus]:
    checks = dependency_checks(database, cache, timeout=settings.database_connect_timeout_seconds)
    if not is_ready(checks):
        return problem_response(503, "the database is unreachable", headers={"Retry-After": "5"}, checks=checks)  # type: ignore[return-value]
    return Response(200, "application/json", ReadyStatus(status="ready", checks=checks))
