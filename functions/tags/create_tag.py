"""POST /api/tags: a tag in a workspace (default: personal). 409 when the name is taken there."""

from functions.domain.activity import publishing
from functions.domain.auth import auth
from functions.domain.tags import tags
from functions.domain.tags.models import Tag, TagCreate
from functions.platform.function import authenticated_api

app, deps, handler = authenticated_api(__name__)


@app.post("/api/tags", status_code=201, tags=["tags"], summary="Create a tag")
def post_tag(body: TagCreate) -> Tag:
    claims = deps.caller(app)
    row = publishing.transaction(
        deps,
        lambda conn: tags.create(conn, auth.ensure_current(conn, claims), body.workspace_id, body.name, body.color),
    )
    return Tag.from_row(row)
