"""The local scheduler delivers PingSource ticks through the runtime, on the cron schedule."""

import threading
from datetime import UTC, datetime, timedelta

from aws_lambda_powertools.utilities.parser import parse
from aws_lambda_powertools.utilities.parser.models import EventBridgeModel

from functions.catalog import Function
from functions.devserver.gateway import Mounted
from functions.devserver.scheduler import Scheduler, fire
from functions.runtime.app import RuntimeApp
from functions.runtime.config import RuntimeConfig


def _mounted(handler, schedule="*/5 * * * *") -> Mounted:
    function = Function("tick", "functions.tests.tick.handler", schedule=schedule)
    app = RuntimeApp(RuntimeConfig(handler_path=function.handler, function_name="tick"), handler)
    return Mounted(function, app, ())


def test_a_tick_reaches_the_handler_as_an_eventbridge_scheduled_event():
    received = []
    item = _mounted(lambda event, context: received.append((event, context)))

    status = fire(item, datetime(2026, 1, 2, 3, 5, tzinfo=UTC))

    assert status == 204
    event, context = received[0]
    model = parse(event=event, model=EventBridgeModel)
    assert model.detail_type == "Scheduled Event"
    assert model.source == "aws.events"
    assert model.time == datetime(2026, 1, 2, 3, 5, tzinfo=UTC)
    assert model.resources == ["/apis/v1/namespaces/local/pingsources/tick"]
    assert context.function_name == "tick"


def test_a_failing_scheduled_handler_is_reported_not_raised():
    def failing(event, context):
        raise RuntimeError("broken")

    assert fire(_mounted(failing), datetime(2026, 1, 2, tzinfo=UTC)) == 500


def test_the_scheduler_fires_when_the_schedule_comes_due():
    # Given a clock that reaches the next five-minute mark right after start-up
    start = datetime(2026, 1, 2, 3, 4, 59, tzinfo=UTC)
    readings = iter([start])
    clock = lambda: next(readings, start + timedelta(minutes=1))  # noqa: E731
    fired = threading.Event()
    times = []

    def handler(event, context):
        times.append(event["time"])
        fired.set()

    scheduler = Scheduler([_mounted(handler)], clock=clock)
    # When it runs
    scheduler.start()
    try:
        # Then the 03:05 tick is delivered
        assert fired.wait(timeout=10)
    finally:
        scheduler.stop()
    assert times[0] == "2026-01-02T03:05:00Z"


def test_functions_without_a_schedule_are_not_scheduled():
    item = _mounted(lambda event, context: None)
    unscheduled = Mounted(Function("web", "functions.a.b.handler", routes=("GET /a",)), item.app, ())
    assert Scheduler([unscheduled]).scheduled == []
