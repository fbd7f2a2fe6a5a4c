"""GET /health (and /api/health, through CloudFront): the process is up. Touches nothing,
so it answers even when the database is down."""

from typing import Any

from aws_lambda_powertools import Logger

from functions.platform.http import create_resolver

logger = Logger(service="health")
app = create_resolver()


@app.get("/health")
@app.get("/api/health")  # the same, on the path CloudFront forwards to the API
def get_health() -> dict[str, str]:
    return {"status": "ok"}


@logger.inject_lambda_context
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return app.resolve(event, context)
