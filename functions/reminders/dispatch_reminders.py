"""Scheduled every minute: deliver the reminders that are due, by Web Push, webhook or e-mail."""

from typing import Any

from aws_lambda_powertools.metrics import MetricUnit, single_metric
from aws_lambda_powertools.utilities.parser import parse
from aws_lambda_powertools.utilities.parser.models import EventBridgeModel

from functions.domain.push import delivery
from functions.domain.reminders import dispatch
from functions.platform import mailer, webhooks
from functions.platform.db import Database
from functions.platform.dynamo import DeliveryLedger
from functions.platform.function import event_function

function = event_function(__name__)
settings, logger = function.settings, function.logger
database = Database.for_settings(settings)
ledger = DeliveryLedger(settings)

# Stop claiming new batches this long before the deadline, so a batch always finishes.
_MARGIN_MS = 10_000


def send(row: dict[str, Any]) -> None:
    subject, body = row["subject"], row["body"]  # dispatch.message(row), written before the claim
    # A push reminder whose user has no browser left to take it goes by the account's channel.
    pushed = row["channel"] == "push" and row["push_subscriptions"]
    if pushed and delivery.deliver(settings, ledger, row, dispatch.delivery_id(row)):
        return
    # A webhook without a signing secret (set before secrets existed) would be forgeable:
    # such users get e-mail until they set their URL again.
    if row["reminder_webhook_url"] and row["webhook_secret"]:
        # The delivery id is the receiver's deduplication key: a dispatcher killed after the
        # receiver took a reminder but before it heard so sends it again, with the same id.
        payload = {
            "type": "reminder",
            "delivery_id": dispatch.delivery_id(row),
            "task_id": row["task_id"],
            "title": row["title"],
            "due_date": row["due_date"].isoformat() if row["due_date"] else None,
            "text": body,
        }
        webhooks.deliver(
            row["reminder_webhook_url"],
            payload,
            row["webhook_secret"],
            allow_private=settings.webhook_allow_private_networks,
        )
    else:
        mailer.send(settings, row["email"], subject, body)


@function.handler
def handler(event: dict[str, Any], context: Any) -> dict[str, int]:
    parse(event=event, model=EventBridgeModel)  # a Scheduled Event, or a malformed one fails here
    # Measured before dispatching: how far behind the reminders were when this run began.
    with single_metric(
        name="ReminderLag",
        unit=MetricUnit.Seconds,
        value=dispatch.lag_seconds(database),
        namespace="TaskForge",
        default_dimensions={"operation": function.name},
    ):
        pass
    outcome = dispatch.dispatch_due(
        database, settings, ledger, send, keep_going=lambda: context.get_remaining_time_in_millis() > _MARGIN_MS
    )
    logger.info("reminders dispatched", extra=vars(outcome))
    return vars(outcome)
