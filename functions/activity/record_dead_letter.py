"""Triggered by every event on the dead-letter broker: store it, so nothing the broker gives
up on is lost, and count it in the DeadLetters metric an alarm watches."""

from typing import Any

from aws_lambda_powertools.utilities.parser import parse
from aws_lambda_powertools.utilities.parser.models import EventBridgeModel

from functions.domain.activity import dead_letters
from functions.platform.db import Connection, Database
from functions.platform.function import event_function

function = event_function(__name__)
settings, logger = function.settings, function.logger
database = Database.for_settings(settings)


@function.handler
def handler(event: dict[str, Any], context: Any) -> None:
    parse(event=event, model=EventBridgeModel)

    def store(conn: Connection) -> bool:
        return dead_letters.store(conn, event)

    if database.transaction(store):
        attributes = event.get("cloudevent", {})
        logger.error(
            "dead letter stored",
            extra={
                "event_id": event["id"],
                "type": event["detail-type"],
                "failed_at": attributes.get("knativeerrordest"),
                "status": attributes.get("knativeerrorcode"),
            },
        )
        dead_letters.count(function.name)
