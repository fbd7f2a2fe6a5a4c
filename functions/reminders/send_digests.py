"""Scheduled hourly: the overdue digest for every user whose local morning hour it is."""

from typing import Any

from aws_lambda_powertools.utilities.parser import parse
from aws_lambda_powertools.utilities.parser.models import EventBridgeModel

from functions.domain.reminders import digests
from functions.platform import mailer
from functions.platform.db import Database
from functions.platform.function import event_function

function = event_function(__name__)
settings = function.settings
database = Database.for_settings(settings)


@function.handler
def handler(event: dict[str, Any], context: Any) -> dict[str, int]:
    parse(event=event, model=EventBridgeModel)
    sent = digests.send_due_digests(database, lambda to, subject, body: mailer.send(settings, to, subject, body))
    return {"sent": sent}
