"""A write publishes its events as soon as it commits: the feed shows a change within moments,
not at the relay's next tick. The relay stays the catch-up (a broker outage, a crash between
sending and marking), the two never send one row at once, and the feed holds each event once."""

from __future__ import annotations

import threading
import time
import urllib.error
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import psycopg
import pytest

from tests.functional.api.conftest import BROKER_TOKEN
from tests.support.wsgi_client import WsgiClient

FEED_DEADLINE_SECONDS = 2.0


@dataclass
class Broker:
    """The in-process stand-in broker, as the write handlers reach it over HTTP."""

    stand_in: Any
    down: bool = False
    refuse_with: int | None = None
    timeouts: list[float] = field(default_factory=list)
    sent: list[str] = field(default_factory=list)

    def send(self, event: dict[str, Any], timeout: float) -> None:
        from functions.domain.activity import publishing

        self.timeouts.append(timeout)
        if self.down:
            raise urllib.error.URLError("connection refused")
        if self.refuse_with is not None:
            raise urllib.error.HTTPError("http://broker", self.refuse_with, "refused", None, None)  # type: ignore[arg-type]
        headers, body = publishing.cloudevent(event, BROKER_TOKEN)
        answer = WsgiClient(self.stand_in).post("/__broker", body=body, headers=headers)
        if not 200 <= answer.status_code < 300:
            raise urllib.error.HTTPError("http://broker", answer.status_code, answer.text, None, None)  # type: ignore[arg-type]
        self.sent.append(event["event_id"])


@pytest.fixture
def broker(local_broker, monkeypatch) -> Broker:
    """Every write handler publishes to the in-process broker, as BROKER_URL would have it."""
    from functions.domain.activity import publishing

    stand_in = Broker(local_broker)
    monkeypatch.setattr(publishing, "broker", lambda settings: stand_in.send)
    return stand_in


def _poll(read: Callable[[], Any], done: Callable[[Any], bool], deadline: float = FEED_DEADLINE_SECONDS) -> Any:
    """Reads until `done` holds or the deadline passes; the last read either way."""
    until = time.monotonic() + deadline
    while True:
        value = read()
        if done(value) or time.monotonic() > until:
            return value
        time.sleep(0.01)  # polling interval, not a wait for a known event


def _feed(api) -> list[dict[str, Any]]:
    return api.get("/api/activity", params={"limit": 100}).json()["items"]


def _outbox(database_url: str, title: str) -> list[dict[str, Any]]:
    with psycopg.connect(database_url, row_factory=psycopg.rows.dict_row) as conn:
        return conn.execute(
            "SELECT id, event_id::text AS event_id, published_at, quarantined_at, attempts FROM outbox"
            " WHERE data->>'title' = %s ORDER BY id",
            (title,),
        ).fetchall()


def test_a_change_is_in_the_feed_within_two_seconds_without_the_relay(make_account, broker, relay, api_database):
    api = make_account().client
    task = api.post("/api/tasks", json={"title": "Prompt"}).json()
    api.patch(f"/api/tasks/{task['id']}", json={"completed": True})

    feed = _poll(lambda: _feed(api), lambda items: len(items) == 2)

    assert [item["summary"] for item in feed] == ["completed “Prompt”", "created “Prompt”"]
    rows = _outbox(api_database, "Prompt")
    assert all(row["published_at"] is not None for row in rows)
    assert {item["id"] for item in feed} == {row["event_id"] for row in rows}
    relay()  # nothing was left for it: the feed stays as it is
    assert _feed(api) == feed


def test_a_batch_publishes_every_event_it_wrote(make_account, broker, api_database):
    api = make_account().client
    titles = [f"batch {index}" for index in range(5)]
    assert api.post("/api/tasks/batch", json={"tasks": [{"title": title} for title in titles]}).status_code == 201

    feed = _poll(lambda: _feed(api), lambda items: len(items) == 5)

    assert sorted(item["data"]["title"] for item in feed) == titles
    assert len(broker.sent) == 5


def test_the_relay_catches_up_what_a_broker_outage_left(make_account, broker, relay, api_database):
    api = make_account().client
    broker.down = True

    created = api.post("/api/tasks", json={"title": "During the outage"})

    assert created.status_code == 201  # the request never fails for the broker
    [row] = _outbox(api_database, "During the outage")
    assert (row["published_at"], row["quarantined_at"], row["attempts"]) == (None, None, 0)
    assert _feed(api) == []
    broker.down = False
    relay()
    assert [item["id"] for item in _feed(api)] == [row["event_id"]]


def test_a_refused_event_is_left_to_the_relay_s_rules(make_account, broker, relay, api_database):
    api = make_account().client
    broker.refuse_with = 400

    assert api.post("/api/tasks", json={"title": "Refused now"}).status_code == 201

    # The request sets nothing aside: quarantine is the relay's decision, made by its rules.
    [row] = _outbox(api_database, "Refused now")
    assert (row["published_at"], row["quarantined_at"], row["attempts"]) == (None, None, 0)
    relay()  # and the relay's broker takes it
    assert [item["id"] for item in _feed(api)] == [row["event_id"]]


def test_a_crash_between_sending_and_marking_still_gives_one_entry(
    make_account, broker, relay, api_database, monkeypatch
):
    from functions.domain.activity import outbox

    api = make_account().client
    mark = outbox.mark_sent

    def crash(conn, event_ids):
        raise RuntimeError("the process died")  # the events went out; the mark never commits

    monkeypatch.setattr(outbox, "mark_sent", crash)
    created = api.post("/api/tasks", json={"title": "Sent, not marked"})
    monkeypatch.setattr(outbox, "mark_sent", mark)

    assert created.status_code == 201
    [row] = _outbox(api_database, "Sent, not marked")
    assert row["published_at"] is None  # the mark rolled back with the crash
    first = _poll(lambda: _feed(api), lambda items: len(items) == 1)
    assert [item["id"] for item in first] == [row["event_id"]]  # it reached the feed before the crash
    relay()  # the relay sends it again, with the same id
    assert [item["id"] for item in _feed(api)] == [row["event_id"]]
    assert _outbox(api_database, "Sent, not marked")[0]["published_at"] is not None


def test_the_request_gives_the_broker_at_most_the_budget(make_account, broker):
    from functions.domain.activity import publishing

    api = make_account().client
    api.post("/api/tasks/batch", json={"tasks": [{"title": f"t{index}"} for index in range(3)]})

    assert len(broker.timeouts) == 3
    assert all(0 < timeout <= publishing.PROMPT_BUDGET_SECONDS for timeout in broker.timeouts)
    assert broker.timeouts == sorted(broker.timeouts, reverse=True)  # one budget for the whole request


def test_a_database_failure_after_the_commit_never_fails_the_request(make_account, broker, relay, monkeypatch):
    from functions.domain.activity import outbox

    def unreachable(conn, event_ids):
        raise psycopg.OperationalError("the connection was lost")

    api = make_account().client
    mark = outbox.mark_sent
    monkeypatch.setattr(outbox, "mark_sent", unreachable)
    created = api.post("/api/tasks", json={"title": "Committed"})
    monkeypatch.setattr(outbox, "mark_sent", mark)

    assert created.status_code == 201
    assert api.get(f"/api/tasks/{created.json()['id']}").status_code == 200
    relay()  # sends it again, unmarked as it is; the feed keeps it once
    assert [item["data"]["title"] for item in _feed(api)] == ["Committed"]


def test_a_rolled_back_attempt_publishes_nothing(make_account, broker, api_database, monkeypatch):
    """Only the events of the attempt that committed go out: the first attempt of a retried
    transaction wrote an event that never happened."""
    from functions.domain.activity import outbox

    record = outbox.record
    calls = {"n": 0}

    def conflicting_once(conn, *args, **kwargs):
        record(conn, *args, **kwargs)
        calls["n"] += 1
        if calls["n"] == 1:
            raise psycopg.errors.SerializationFailure("could not serialize access")

    monkeypatch.setattr(outbox, "record", conflicting_once)
    created = make_account().client.post("/api/tasks", json={"title": "Retried"})

    assert created.status_code == 201
    assert calls["n"] == 2
    [row] = _outbox(api_database, "Retried")
    assert broker.sent == [row["event_id"]]


def test_the_relay_leaves_a_new_event_to_its_writer(make_account, broker, relay, api_database, monkeypatch):
    """The prompt publish and the relay never send one row at once: the relay takes only rows
    older than the prompt publish can be."""
    from functions.domain.activity import publishing

    api = make_account().client
    broker.down = True
    api.post("/api/tasks", json={"title": "Left to its writer"})
    broker.down = False
    [row] = _outbox(api_database, "Left to its writer")

    monkeypatch.setattr(publishing, "SETTLED_SECONDS", 3600.0)
    assert relay() == 0
    assert _outbox(api_database, "Left to its writer")[0]["published_at"] is None
    with psycopg.connect(api_database) as conn:
        conn.execute("UPDATE outbox SET created_at = created_at - interval '2 hours' WHERE id = %s", (row["id"],))
    assert relay() == 1
    assert [item["id"] for item in _feed(api)] == [row["event_id"]]


def test_the_prompt_mark_passes_over_a_row_another_publisher_holds(make_account, broker, api_database):
    from functions.activity import relay_outbox
    from functions.domain.activity import publishing

    api = make_account().client
    broker.down = True
    api.post("/api/tasks", json={"title": "Contended"})
    broker.down = False
    [row] = _outbox(api_database, "Contended")
    event = {**row, "type": "dev.taskforge.task.created", "task_id": None, "actor_id": None, "data": {}}
    event["created_at"] = datetime.now(UTC)

    # The relay holds the row (it is sending it): the prompt mark does not wait for it.
    held, release = threading.Event(), threading.Event()

    def hold() -> None:
        with psycopg.connect(api_database) as conn:
            conn.execute("SELECT 1 FROM outbox WHERE id = %s FOR UPDATE", (row["id"],))
            held.set()
            release.wait(10)

    holder = threading.Thread(target=hold)
    holder.start()
    try:
        assert held.wait(10)
        began = time.monotonic()
        assert publishing.publish_written(relay_outbox.database, broker.send, [event]) == 1
        assert time.monotonic() - began < 5  # not the holder's 10 s
        assert _outbox(api_database, "Contended")[0]["published_at"] is None
    finally:
        release.set()
        holder.join()
    assert publishing.publish_written(relay_outbox.database, broker.send, [event]) == 1
    assert _outbox(api_database, "Contended")[0]["published_at"] is not None


def test_every_function_that_publishes_may_reach_the_broker():
    import importlib

    from functions.catalog import FUNCTIONS

    for function in FUNCTIONS:
        module = importlib.import_module(function.module)
        publishes = hasattr(module, "publishing")
        assert publishes == ("broker" in function.uses), function.name


def test_the_prompt_publish_commits_its_mark_without_waiting_for_the_disk(make_account, api_database):
    """Only its own transaction: the write before it committed durably, and the next one will too."""
    from functions.domain.activity import outbox

    make_account().client.post("/api/tasks", json={"title": "marked lazily"})
    with psycopg.connect(api_database) as conn:
        conn.row_factory = psycopg.rows.dict_row
        [event] = conn.execute(
            "SELECT id, event_id::text AS event_id FROM outbox WHERE data->>'title' = 'marked lazily'"
        ).fetchall()
        conn.execute("UPDATE outbox SET published_at = NULL WHERE id = %s", (event["id"],))
        conn.commit()
        with conn.transaction():
            outbox.mark_sent(conn, [event["event_id"]])
            assert conn.execute("SELECT current_setting('synchronous_commit') AS s").fetchone()["s"] == "off"
        assert conn.execute("SELECT current_setting('synchronous_commit') AS s").fetchone()["s"] == "on"
        assert conn.execute("SELECT published_at FROM outbox WHERE id = %s", (event["id"],)).fetchone()["published_at"]


def test_the_prompt_mark_is_planned_at_every_run(make_account, api_database):
    """Never a prepared plan: one cached while the outbox was nearly empty scans the whole
    table at every write, for as long as the table grows before an ANALYZE."""
    from functions.domain.activity import outbox

    make_account().client.post("/api/tasks", json={"title": "planned afresh"})
    with psycopg.connect(api_database, autocommit=True) as conn:
        [event_id] = conn.execute(
            "SELECT event_id::text FROM outbox WHERE data->>'title' = 'planned afresh'"
        ).fetchone()
        for _ in range(conn.prepare_threshold + 3):  # past psycopg's preparing of a repeated statement
            with conn.transaction():
                outbox.mark_sent(conn, [event_id])
        prepared = conn.execute(
            "SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE 'UPDATE outbox SET published_at%%'"
        ).fetchone()
    assert prepared == (0,)
