"""PATCH /api/workspaces/{workspace_id}/members/{user_id}: an owner changes a member's role.

A workspace always keeps an owner: the last one cannot step down (409).
"""

from aws_lambda_powertools import Logger

from functions.domain.auth import auth
from functions.domain.workspaces import workspaces
from functions.domain.workspaces.models import Member, MemberPatch
from functions.platform.api import api_handler, create_api
from functions.platform.dependencies import Dependencies
from functions.platform.http import parse_id
from functions.platform.settings import Settings

deps = Dependencies.from_settings(Settings.from_env())
logger = Logger(service="workspaces")
app = create_api(deps.settings)


@app.patch("/api/workspaces/<workspace_id>/members/<user_id>", tags=["workspaces"],
           summary="Change a member's role")
def patch_member(workspace_id: str, user_id: str, body: MemberPatch) -> Member:
    claims = deps.caller(app)
    workspace_id = parse_id(workspace_id, "workspace")
    member_id = parse_id(user_id, "member")
    row = deps.database.transaction(lambda conn: workspaces.change_role(
        conn, auth.ensure_current(conn, claims), workspace_id, member_id, body.role))
    return Member.from_row(row)


handler = api_handler(app, logger, "change-member-role", deps.verifier)
