"""GET /api/tags: a workspace's tags (default: personal), by name."""

from typing import Annotated

from aws_lambda_powertools import Logger
from aws_lambda_powertools.event_handler.openapi.params import Query

from functions.domain.auth import auth
from functions.domain.tags import tags
from functions.domain.tags.models import Tag, TagList
from functions.platform.api import api_handler, create_api
from functions.platform.dependencies import Dependencies
from functions.platform.settings import Settings

deps = Dependencies.from_settings(Settings.from_env())
logger = Logger(service="tags")
app = create_api(deps.settings)


@app.get("/api/tags", tags=["tags"], summary="List a workspace's tags")
def get_tags(workspace_id: Annotated[str | None, Query()] = None) -> TagList:
    claims = deps.caller(app)
    rows = deps.database.transaction(
        lambda conn: tags.list_for(conn, auth.ensure_current(conn, claims), workspace_id))
    return TagList(items=[Tag.from_row(row) for row in rows])


handler = api_handler(app, logger, "list-tags", deps.verifier)
