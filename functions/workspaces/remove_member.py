"""DELETE /api/workspaces/{workspace_id}/members/{user_id}: an owner removes a member, or a member leaves.

The last owner cannot leave (409), nor can anyone leave their personal workspace.
"""

from aws_lambda_powertools import Logger
from aws_lambda_powertools.event_handler import Response

from functions.domain.auth import auth
from functions.domain.workspaces import workspaces
from functions.platform.api import api_handler, create_api
from functions.platform.dependencies import Dependencies
from functions.platform.http import parse_id
from functions.platform.settings import Settings

deps = Dependencies.from_settings(Settings.from_env())
logger = Logger(service="workspaces")
app = create_api(deps.settings)


@app.delete("/api/workspaces/<workspace_id>/members/<user_id>", status_code=204, tags=["workspaces"],
            summary="Remove a member, or leave")
def delete_member(workspace_id: str, user_id: str) -> Response[None]:
    claims = deps.caller(app)
    workspace_id = parse_id(workspace_id, "workspace")
    member_id = parse_id(user_id, "member")
    deps.database.transaction(lambda conn: workspaces.remove_member(
        conn, auth.ensure_current(conn, claims), workspace_id, member_id))
    return Response(status_code=204)


handler = api_handler(app, logger, "remove-member", deps.verifier)
