"""DELETE /api/push-subscriptions/{subscription_id}: 204; another user's is a 404."""

from aws_lambda_powertools.event_handler import Response

from functions.domain.auth import auth
from functions.domain.push import subscriptions
from functions.platform.function import authenticated_api
from functions.platform.http import parse_id

app, deps, handler = authenticated_api(__name__)


@app.delete(
    "/api/push-subscriptions/<subscription_id>",
    status_code=204,
    tags=["push"],
    summary="Stop push reminders to a browser",
)
def delete_push_subscription(subscription_id: str) -> Response[None]:
    claims = deps.caller(app)
    subscription_id = parse_id(subscription_id, "push subscription")
    deps.database.transaction(
        lambda conn: subscriptions.delete(conn, auth.ensure_current(conn, claims), subscription_id)
    )
    return Response(status_code=204)
