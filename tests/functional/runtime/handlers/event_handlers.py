"""An event handler as the reminder functions write them: Powertools' EventBridge model.

Each event it parses is appended as one JSON line to the file named by EVENTS_LOG,
so a test can read exactly what reached the handler.
"""

from __future__ import annotations

import json
import os
import threading
from typing import Any

from aws_lambda_powertools.utilities.parser import parse
from aws_lambda_powertools.utilities.parser.models import EventBridgeModel

FAILURE_MESSAGE = "deliberate failure from event_handlers"
_write = threading.Lock()


def record(event: dict[str, Any], context: Any) -> None:
    parsed = parse(event=event, model=EventBridgeModel)
    seen = {
        "id": parsed.id,
        "detail_type": parsed.detail_type,
        "source": parsed.source,
        "account": parsed.account,
        "region": parsed.region,
        "time": parsed.time.isoformat(),
        "resources": parsed.resources,
        "detail": parsed.detail,
        "cloudevent": event.get("cloudevent"),
        "aws_request_id": context.aws_request_id,
        "trace_parent": context.trace_parent,
    }
    with _write, open(os.environ["EVENTS_LOG"], "a", encoding="utf-8") as log:
        log.write(json.dumps(seen) + "\n")
    if isinstance(parsed.detail, dict) and parsed.detail.get("fail"):
        raise RuntimeError(FAILURE_MESSAGE)
