"""Triggered by every event the outbox publishes (catalog.EVENT_TYPES): store it in the activity feed."""

from typing import Any

from aws_lambda_powertools.utilities.parser import parse
from aws_lambda_powertools.utilities.parser.models import EventBridgeModel

from functions.domain.activity import activity
from functions.platform.function import event_function

function = event_function(__name__)
settings = function.settings


@function.handler
def handler(event: dict[str, Any], context: Any) -> None:
    parse(event=event, model=EventBridgeModel)
    activity.store(settings, event)
