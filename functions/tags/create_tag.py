"""POST /api/tags: a tag in a workspace (default: personal). 409 when the name is taken there."""

from aws_lambda_powertools import Logger

from functions.domain.auth import auth
from functions.domain.tags import tags
from functions.domain.tags.models import Tag, TagCreate
from functions.platform.api import api_handler, create_api
from functions.platform.dependencies import Dependencies
from functions.platform.settings import Settings

deps = Dependencies.from_settings(Settings.from_env())
logger = Logger(service="tags")
app = create_api(deps.settings)


@app.post("/api/tags", status_code=201, tags=["tags"], summary="Create a tag")
def post_tag(body: TagCreate) -> Tag:
    claims = deps.caller(app)
    row = deps.database.transaction(lambda conn: tags.create(
        conn, auth.ensure_current(conn, claims), body.workspace_id, body.name, body.color))
    return Tag.from_row(row)


handler = api_handler(app, logger, "create-tag", deps.verifier)
