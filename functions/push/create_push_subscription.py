"""POST /api/push-subscriptions: this browser gets the caller's push reminders.

201 for a new subscription, 200 when the browser's endpoint was subscribed already (it is
updated, never duplicated).
"""

from aws_lambda_powertools.event_handler import Response

from functions.domain.auth import auth
from functions.domain.push import subscriptions
from functions.domain.push.models import PushSubscription, PushSubscriptionCreate
from functions.platform.function import authenticated_api

app, deps, handler = authenticated_api(__name__)


@app.post(
    "/api/push-subscriptions",
    status_code=201,
    tags=["push"],
    summary="Subscribe this browser to push reminders",
    responses={200: {"description": "The browser was subscribed already; its keys are updated"}},
)
def post_push_subscription(body: PushSubscriptionCreate) -> Response[PushSubscription]:
    claims = deps.caller(app)
    subscription = subscriptions.prepare(body, deps.settings.webhook_allow_private_networks)
    agent = app.current_event.headers.get("user-agent")
    row, created = deps.database.transaction(
        lambda conn: subscriptions.subscribe(conn, auth.ensure_current(conn, claims), subscription, agent)
    )
    return Response(
        201 if created else 200,
        "application/json",
        PushSubscription.from_row(row),
        headers={"Location": f"/api/push-subscriptions/{row['id']}"},
    )
