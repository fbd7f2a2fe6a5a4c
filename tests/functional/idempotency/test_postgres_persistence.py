"""Powertools Idempotency on the PostgreSQL persistence layer, driven through
`idempotent_function` against a real, freshly migrated database."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from aws_lambda_powertools.utilities.idempotency import IdempotencyConfig, idempotent_function
from aws_lambda_powertools.utilities.idempotency.exceptions import (
    IdempotencyAlreadyInProgressError,
    IdempotencyItemNotFoundError,
    IdempotencyValidationError,
)

from functions.platform.db import Database
from functions.platform.idempotency import PostgresPersistenceLayer, purge_expired
from functions.platform.settings import Settings

WAIT = 10  # seconds any synchronisation may take before the test fails
NO_DEADLINE = "register_lambda_context"  # what Powertools warns when it cannot know the deadline


class Context:
    """The part of a Lambda context Powertools reads: the time left before the deadline."""

    def __init__(self, remaining_ms: int = 60_000) -> None:
        self.remaining_ms = remaining_ms

    def get_remaining_time_in_millis(self) -> int:
        return self.remaining_ms


class Crash(BaseException):
    """Ends an invocation the way a timeout does: Powertools cannot clean up after it."""


@pytest.fixture
def database(database_url: str) -> Iterator[Database]:
    database = Database(Settings(database_url=database_url))
    yield database
    database.close()


@pytest.fixture
def layer(database: Database) -> PostgresPersistenceLayer:
    return PostgresPersistenceLayer(database)


def idempotent(
    layer: PostgresPersistenceLayer,
    body: Callable[[dict[str, Any]], Any],
    *,
    context: Context | None = None,
    expires_after_seconds: int = 3600,
) -> Callable[..., Any]:
    """`body` made idempotent on `order["order_id"]`, its payload checked on `order["amount"]`."""
    config = IdempotencyConfig(
        event_key_jmespath="order_id", payload_validation_jmespath="amount", expires_after_seconds=expires_after_seconds
    )
    if context is not None:
        config.register_lambda_context(context)

    @idempotent_function(data_keyword_argument="order", persistence_store=layer, config=config)
    def place_order(order: dict[str, Any]) -> Any:
        return body(order)

    return place_order


def counting(calls: list[dict[str, Any]]) -> Callable[[dict[str, Any]], dict[str, Any]]:
    def body(order: dict[str, Any]) -> dict[str, Any]:
        calls.append(order)
        return {"order_id": order["order_id"], "run": len(calls)}

    return body


def records(database: Database) -> list[dict[str, Any]]:
    return database.transaction(lambda conn: conn.execute("SELECT * FROM idempotency_records ORDER BY id").fetchall())


def execute(database: Database, statement: str, params: tuple[Any, ...] = ()) -> None:
    database.transaction(lambda conn: conn.execute(statement, params))


def now_ms() -> int:
    return int(time.time() * 1000)


def test_a_repeated_call_returns_the_stored_result_without_running_again(layer, database):
    calls: list[dict[str, Any]] = []
    place_order = idempotent(layer, counting(calls), context=Context())

    first = place_order(order={"order_id": "o-1", "amount": 10})
    second = place_order(order={"order_id": "o-1", "amount": 10})

    assert first == second == {"order_id": "o-1", "run": 1}
    assert len(calls) == 1
    [record] = records(database)
    assert record["status"] == "COMPLETED"
    assert record["expiry"] > time.time() + 3500
    assert record["payload_hash"]


def test_the_same_key_with_a_different_payload_is_refused(layer):
    calls: list[dict[str, Any]] = []
    place_order = idempotent(layer, counting(calls), context=Context())
    place_order(order={"order_id": "o-1", "amount": 10})

    with pytest.raises(IdempotencyValidationError):
        place_order(order={"order_id": "o-1", "amount": 99})
    assert len(calls) == 1


def test_a_call_while_the_first_is_still_running_is_refused_as_in_progress(layer, database):
    started, release = threading.Event(), threading.Event()
    calls: list[dict[str, Any]] = []

    def slow(order: dict[str, Any]) -> dict[str, Any]:
        calls.append(order)
        started.set()
        assert release.wait(WAIT)
        return {"done": True}

    place_order = idempotent(layer, slow, context=Context())
    with ThreadPoolExecutor(max_workers=1) as pool:
        first = pool.submit(place_order, order={"order_id": "o-1", "amount": 10})
        assert started.wait(WAIT)
        [record] = records(database)
        assert record["status"] == "INPROGRESS"
        assert record["in_progress_expiry"] > now_ms()

        with pytest.raises(IdempotencyAlreadyInProgressError):
            place_order(order={"order_id": "o-1", "amount": 10})

        release.set()
        assert first.result(timeout=WAIT) == {"done": True}

    assert place_order(order={"order_id": "o-1", "amount": 10}) == {"done": True}
    assert len(calls) == 1


def test_a_crashed_call_holds_the_key_only_until_its_deadline(layer, database):
    calls: list[dict[str, Any]] = []

    def crashes_first(order: dict[str, Any]) -> dict[str, Any]:
        calls.append(order)
        if len(calls) == 1:
            raise Crash
        return {"run": len(calls)}

    place_order = idempotent(layer, crashes_first, context=Context(remaining_ms=60_000))
    with pytest.raises(Crash):
        place_order(order={"order_id": "o-1", "amount": 10})
    [record] = records(database)
    assert record["status"] == "INPROGRESS"

    with pytest.raises(IdempotencyAlreadyInProgressError):
        place_order(order={"order_id": "o-1", "amount": 10})

    # The crashed invocation's deadline passes long before the record's expiry.
    execute(database, "UPDATE idempotency_records SET in_progress_expiry = %s", (now_ms() - 1,))

    assert place_order(order={"order_id": "o-1", "amount": 10}) == {"run": 2}
    assert [record["status"] for record in records(database)] == ["COMPLETED"]


def test_a_crashed_call_with_no_known_deadline_holds_the_key_until_the_record_expires(layer, database):
    calls: list[dict[str, Any]] = []

    def crashes_first(order: dict[str, Any]) -> dict[str, Any]:
        calls.append(order)
        if len(calls) == 1:
            raise Crash
        return {"run": len(calls)}

    place_order = idempotent(layer, crashes_first, context=None)
    with pytest.warns(UserWarning, match=NO_DEADLINE), pytest.raises(Crash):
        place_order(order={"order_id": "o-1", "amount": 10})
    [record] = records(database)
    assert record["in_progress_expiry"] is None

    with pytest.warns(UserWarning, match=NO_DEADLINE), pytest.raises(IdempotencyAlreadyInProgressError):
        place_order(order={"order_id": "o-1", "amount": 10})

    execute(database, "UPDATE idempotency_records SET expiry = %s", (int(time.time()) - 1,))
    with pytest.warns(UserWarning, match=NO_DEADLINE):
        assert place_order(order={"order_id": "o-1", "amount": 10}) == {"run": 2}
    assert len(calls) == 2


def test_an_expired_completed_record_is_replaced(layer, database):
    calls: list[dict[str, Any]] = []
    place_order = idempotent(layer, counting(calls), context=Context(), expires_after_seconds=60)
    place_order(order={"order_id": "o-1", "amount": 10})
    execute(database, "UPDATE idempotency_records SET expiry = %s", (int(time.time()) - 1,))

    # An expired record no longer binds the key to its payload either.
    assert place_order(order={"order_id": "o-1", "amount": 20}) == {"order_id": "o-1", "run": 2}
    assert place_order(order={"order_id": "o-1", "amount": 20}) == {"order_id": "o-1", "run": 2}
    [record] = records(database)
    assert record["status"] == "COMPLETED"
    assert record["expiry"] >= int(time.time()) + 50


def test_a_function_that_raises_leaves_no_record_so_a_retry_runs_again(layer, database):
    calls: list[dict[str, Any]] = []

    def fails_first(order: dict[str, Any]) -> dict[str, Any]:
        calls.append(order)
        if len(calls) == 1:
            raise ValueError("payment declined")
        return {"run": len(calls)}

    place_order = idempotent(layer, fails_first, context=Context())
    with pytest.raises(ValueError, match="payment declined"):
        place_order(order={"order_id": "o-1", "amount": 10})
    assert records(database) == []
    with pytest.raises(IdempotencyItemNotFoundError):
        layer.get_record(data={"order_id": "o-1", "amount": 10})

    assert place_order(order={"order_id": "o-1", "amount": 10}) == {"run": 2}
    assert len(calls) == 2


@pytest.mark.parametrize("earlier_record", ["none", "expired"])
def test_concurrent_calls_with_one_key_run_the_function_once(layer, database, earlier_record):
    callers = 20
    calls: list[dict[str, Any]] = []
    place_order = idempotent(layer, counting(calls), context=Context())
    if earlier_record == "expired":
        place_order(order={"order_id": "o-1", "amount": 10})
        execute(database, "UPDATE idempotency_records SET expiry = %s", (int(time.time()) - 1,))
    runs_before = len(calls)
    barrier = threading.Barrier(callers, timeout=WAIT)

    def call() -> Any:
        barrier.wait()
        try:
            return place_order(order={"order_id": "o-1", "amount": 10})
        except IdempotencyAlreadyInProgressError as error:
            return error

    with ThreadPoolExecutor(max_workers=callers) as pool:
        outcomes = [future.result(timeout=WAIT) for future in [pool.submit(call) for _ in range(callers)]]

    assert len(calls) == runs_before + 1
    expected = {"order_id": "o-1", "run": runs_before + 1}
    assert all(outcome == expected or isinstance(outcome, IdempotencyAlreadyInProgressError) for outcome in outcomes)
    assert outcomes.count(expected) >= 1
    [record] = records(database)
    assert record["status"] == "COMPLETED"


def test_purge_expired_deletes_only_expired_records_in_batches(database):
    now = int(time.time())
    rows = [
        ("expired-completed-1", "COMPLETED", now - 10, None),
        ("expired-completed-2", "COMPLETED", now - 1, None),
        ("expired-inprogress", "INPROGRESS", now - 5, now * 1000 - 5000),
        ("live-completed", "COMPLETED", now + 3600, None),
        ("live-inprogress", "INPROGRESS", now + 3600, now * 1000 + 60_000),
        ("live-but-deadline-passed", "INPROGRESS", now + 3600, now * 1000 - 1000),
        ("expires-this-second", "COMPLETED", now, None),
    ]
    database.transaction(
        lambda conn: conn.cursor().executemany(
            "INSERT INTO idempotency_records (id, status, expiry, in_progress_expiry) VALUES (%s, %s, %s, %s)", rows
        )
    )

    assert purge_expired(database, now=now, batch=2) == 3

    assert [record["id"] for record in records(database)] == [
        "expires-this-second",
        "live-but-deadline-passed",
        "live-completed",
        "live-inprogress",
    ]
    assert purge_expired(database, now=now) == 0
    assert purge_expired(database, now=now + 3601) == 4
