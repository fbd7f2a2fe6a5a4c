"""GET /api/tags: a workspace's tags (default: personal), by name."""

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Query

from functions.domain.auth import auth
from functions.domain.tags import tags
from functions.domain.tags.models import Tag, TagList
from functions.platform.function import authenticated_api

app, deps, handler = authenticated_api(__name__)


@app.get("/api/tags", tags=["tags"], summary="List a workspace's tags")
def get_tags(workspace_id: Annotated[str | None, Query()] = None) -> TagList:
    claims = deps.caller(app)
    rows = deps.database.transaction(lambda conn: tags.list_for(conn, auth.ensure_current(conn, claims), workspace_id))
    return TagList(items=[Tag.from_row(row) for row in rows])
