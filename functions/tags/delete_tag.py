"""DELETE /api/tags/{tag_id}: the tag goes, and with it from every task."""

from aws_lambda_powertools import Logger
from aws_lambda_powertools.event_handler import Response

from functions.domain.auth import auth
from functions.domain.tags import tags
from functions.platform.api import api_handler, create_api
from functions.platform.dependencies import Dependencies
from functions.platform.http import parse_id
from functions.platform.settings import Settings

deps = Dependencies.from_settings(Settings.from_env())
logger = Logger(service="tags")
app = create_api(deps.settings)


@app.delete("/api/tags/<tag_id>", status_code=204, tags=["tags"], summary="Delete a tag")
def delete_tag(tag_id: str) -> Response[None]:
    claims = deps.caller(app)
    tag_id = parse_id(tag_id, "tag")
    deps.database.transaction(lambda conn: tags.delete(conn, auth.ensure_current(conn, claims), tag_id))
    return Response(status_code=204)


handler = api_handler(app, logger, "delete-tag", deps.verifier)
