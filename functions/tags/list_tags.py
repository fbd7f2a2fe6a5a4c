"""GET /api/tags: a workspace's tags (default: personal), by name.

The list's ETag is the workspace's generation, which every tag change bumps: If-None-Match
with it gets 304 before the tags are read.
"""

from functools import partial
from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Query

from functions.domain.auth import auth
from functions.domain.tags import tags
from functions.domain.tags.models import Tag, TagList
from functions.platform.db import Connection
from functions.platform.dependencies import Scope
from functions.platform.function import authenticated_api
from functions.platform.http import IfNoneMatch, conditional_responses, with_etag

app, deps, handler = authenticated_api(__name__)


@app.get(
    "/api/tags", tags=["tags"], summary="List a workspace's tags", responses=conditional_responses("The tags, by name")
)
def get_tags(
    workspace_id: Annotated[str | None, Query()] = None, if_none_match: IfNoneMatch = None
) -> Response[TagList]:
    claims = deps.caller(app)

    def listed(conn: Connection, scope: Scope) -> TagList:
        return TagList(items=[Tag.from_row(row) for row in tags.list_for(conn, scope.user_id, scope.workspace_id)])

    access = partial(auth.read_access, claims=claims, workspace_id=workspace_id)
    return with_etag(*deps.revalidated(access, "tags", {}, listed, if_none_match, cache=False))
