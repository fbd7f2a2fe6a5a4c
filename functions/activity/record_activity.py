"""Triggered by every task event on the broker: store it in the activity feed."""

from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.parser import parse
from aws_lambda_powertools.utilities.parser.models import EventBridgeModel

from functions.domain.activity import activity
from functions.platform.settings import Settings

settings = Settings.from_env()
logger = Logger(service="activity")


@logger.inject_lambda_context
def handler(event: dict[str, Any], context: Any) -> None:
    parse(event=event, model=EventBridgeModel)
    activity.store(settings, event)
