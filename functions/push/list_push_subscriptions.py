"""GET /api/push-subscriptions: the caller's subscribed browsers.

The ETag is a digest of the list: If-None-Match with it gets 304 while the list is the same.
"""

from aws_lambda_powertools.event_handler import Response

from functions.domain.auth import auth
from functions.domain.push import subscriptions
from functions.domain.push.models import PushSubscription, PushSubscriptionList
from functions.platform.function import authenticated_api
from functions.platform.http import IfNoneMatch, conditional, conditional_responses

app, deps, handler = authenticated_api(__name__)


@app.get(
    "/api/push-subscriptions",
    tags=["push"],
    summary="My browsers subscribed to push reminders",
    responses=conditional_responses("The caller's push subscriptions"),
)
def get_push_subscriptions(if_none_match: IfNoneMatch = None) -> Response[PushSubscriptionList]:
    claims = deps.caller(app)
    rows = deps.database.transaction(lambda conn: subscriptions.list_for(conn, auth.ensure_current(conn, claims)))
    listed = PushSubscriptionList(items=[PushSubscription.from_row(row) for row in rows])
    return conditional(listed, "push-subscriptions", {"user_id": claims.user_id}, if_none_match)
