"""DELETE /api/tags/{tag_id}: the tag goes, and with it from every task."""

from aws_lambda_powertools.event_handler import Response

from functions.domain.activity import publishing
from functions.domain.auth import auth
from functions.domain.tags import tags
from functions.platform.function import authenticated_api
from functions.platform.http import parse_id

app, deps, handler = authenticated_api(__name__)


@app.delete("/api/tags/<tag_id>", status_code=204, tags=["tags"], summary="Delete a tag")
def delete_tag(tag_id: str) -> Response[None]:
    claims = deps.caller(app)
    tag_id = parse_id(tag_id, "tag")
    publishing.transaction(deps, lambda conn: tags.delete(conn, auth.ensure_current(conn, claims), tag_id))
    return Response(status_code=204)
