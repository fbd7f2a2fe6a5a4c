"""PATCH /api/tags/{tag_id}: rename or recolour; every task carrying it shows the change."""

from functions.domain.activity import publishing
from functions.domain.auth import auth
from functions.domain.tags import tags
from functions.domain.tags.models import Tag, TagPatch
from functions.platform.function import authenticated_api
from functions.platform.http import parse_id

app, deps, handler = authenticated_api(__name__)


@app.patch("/api/tags/<tag_id>", tags=["tags"], summary="Rename or recolour a tag")
def patch_tag(tag_id: str, body: TagPatch) -> Tag:
    claims = deps.caller(app)
    tag_id = parse_id(tag_id, "tag")
    row = publishing.transaction(
        deps, lambda conn: tags.update(conn, auth.ensure_current(conn, claims), tag_id, body.name, body.color)
    )
    return Tag.from_row(row)
