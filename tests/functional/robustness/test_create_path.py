"""Creating a task asks PostgreSQL little and keeps its promises: one statement confirms the
session, finds the workspace and the caller's role, and takes the workspace's lock for the
manual order, and the whole transaction is three round trips in a pipeline; concurrent creates
on several replicas each get a place of their own at the end; a caller who may not write is
refused without waiting for anyone's lock; a statement failing in the pipeline takes the whole
create with it, and the connection serves the next one; a connection the database dropped
while pooled is replaced, and the task is created once."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import psycopg
import requests
from psycopg.conninfo import make_conninfo

from tests.functional.api.conftest import team  # noqa: F401
from tests.functional.robustness.conftest import CLIENT_TIMEOUT, PROBLEM_JSON, REPLICAS
from tests.support.brokers import recording_broker
from tests.support.round_trips import counting_round_trips

CREATE = "functions.tasks.create_task.handler"


def _post(server, account, body: dict, **headers: str) -> requests.Response:
    return requests.post(
        f"{server.base_url}/api/tasks",
        json=body,
        headers={"Authorization": f"Bearer {account.access_token}", **headers},
        timeout=CLIENT_TIMEOUT,
    )


def test_a_create_is_three_round_trips_to_postgresql(start_runtime, make_account, api_database):
    account = make_account()
    with counting_round_trips(api_database) as (counter, url):
        server = start_runtime(CREATE, DATABASE_URL=url)
        # psycopg prepares a statement on its 5th run on a connection (a round trip more), and
        # the pool may hold two connections, taken about in turn: enough runs for both to pass it.
        for number in range(20):
            assert _post(server, account, {"title": f"warm-up {number}"}).status_code == 201
        for number in range(3):
            before = counter.count
            created = _post(server, account, {"title": f"counted {number}", "priority": 1})
            assert created.status_code == 201, created.text
            # A pipeline (no broker here: nothing to publish): BEGIN with the session, workspace,
            # role and lock, and the last place; the INSERT that returns the task; its outbox
            # event with COMMIT.
            assert counter.count - before == 3
    assert created.json()["priority"] == 1
    assert created.json()["tags"] == []


def test_a_create_publishes_its_event_in_one_round_trip_more(start_runtime, make_account, api_database):
    """The event goes to the broker as it was written, not read back; then one round trip marks it."""
    account = make_account()
    with recording_broker() as (broker_url, received), counting_round_trips(api_database) as (counter, url):
        server = start_runtime(CREATE, DATABASE_URL=url, BROKER_URL=broker_url)
        for number in range(20):  # as above: past psycopg's preparing
            assert _post(server, account, {"title": f"warm-up {number}"}).status_code == 201
        before = counter.count
        created = _post(server, account, {"title": "published"})
        assert created.status_code == 201, created.text
        assert counter.count - before == 4  # the create's three and the mark, with COMMIT
    headers, _ = received[-1]
    assert headers["ce-type"] == "dev.taskforge.task.created"
    with psycopg.connect(api_database) as conn:
        marked = conn.execute(
            "SELECT event_id::text, published_at IS NOT NULL FROM outbox WHERE task_id = %s", (created.json()["id"],)
        ).fetchone()
    assert marked == (headers["ce-id"], True)


def test_concurrent_creates_on_several_replicas_each_get_a_place_at_the_end(start_runtime, make_account, api_database):
    server = start_runtime(CREATE, **REPLICAS)
    account = make_account()
    before = account.client.post("/api/tasks", json={"title": "already there"}).json()
    writers, each = 8, 5
    start = threading.Barrier(writers)

    def create(writer: int) -> list[requests.Response]:
        start.wait(timeout=10)
        return [_post(server, account, {"title": f"{writer}.{number}"}) for number in range(each)]

    with ThreadPoolExecutor(writers) as pool:
        answers = [answer for batch in pool.map(create, range(writers)) for answer in batch]

    assert [answer.status_code for answer in answers] == [201] * writers * each
    places = [answer.json()["position"] for answer in answers]
    assert len(set(places)) == len(places)
    assert min(places) > before["position"]
    with psycopg.connect(api_database) as conn:
        stored = conn.execute(
            "SELECT count(*), count(DISTINCT position) FROM tasks WHERE owner_id = %s", (account.id,)
        ).fetchone()
    assert stored == (writers * each + 1, writers * each + 1)


def _a_backend_waits_for_a_lock(database: str, deadline: float) -> bool:
    with psycopg.connect(database, autocommit=True) as conn:
        while time.monotonic() < deadline:
            row = conn.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
            ).fetchone()
            if row and row[0]:
                return True
            time.sleep(0.02)  # polling interval, not a wait for a known event
    return False


def test_a_viewer_is_refused_while_a_writer_holds_the_workspace(start_runtime, team, api_database):  # noqa: F811
    """The lock is taken for writers only: a viewer's 403 does not queue behind it, and an
    editor's create waits for it, then lands."""
    server = start_runtime(CREATE)
    workspace = team["id"]
    with psycopg.connect(api_database) as holder:
        holder.execute("SELECT 1 FROM workspaces WHERE id = %s FOR NO KEY UPDATE", (workspace,))

        refused = _post(server, team["viewer"], {"title": "not mine to add", "workspace_id": workspace})
        assert refused.status_code == 403
        assert refused.headers["Content-Type"] == PROBLEM_JSON

        with ThreadPoolExecutor(1) as pool:
            waiting = pool.submit(_post, server, team["editor"], {"title": "after the lock", "workspace_id": workspace})
            assert _a_backend_waits_for_a_lock(api_database, deadline=time.monotonic() + CLIENT_TIMEOUT)
            assert not waiting.done()
            holder.rollback()
            created = waiting.result(timeout=CLIENT_TIMEOUT)
    assert created.status_code == 201, created.text
    assert created.json()["workspace_id"] == workspace


def _tasks_titled(database: str, title: str) -> int:
    with psycopg.connect(database) as conn:
        row = conn.execute("SELECT count(*) FROM tasks WHERE title = %s", (title,)).fetchone()
    assert row is not None
    return int(row[0])


def test_a_statement_failing_in_the_pipeline_rolls_back_the_create(start_runtime, make_account, api_database):
    """The outbox INSERT goes unread with the COMMIT; when it fails (here: past the statement
    timeout, behind a lock), the task's INSERT before it is rolled back too, the answer is the
    503 it always was, and the pool's one connection serves the next create."""
    server = start_runtime(CREATE, DATABASE_POOL_MAX="1", DATABASE_STATEMENT_TIMEOUT_MS="300")
    account = make_account()
    assert _post(server, account, {"title": "before"}).status_code == 201
    with psycopg.connect(api_database) as holder:
        holder.execute("LOCK TABLE outbox IN SHARE ROW EXCLUSIVE MODE")  # an INSERT waits for it
        failed = _post(server, account, {"title": "rolled back"})
    assert failed.status_code == 503, failed.text
    assert failed.headers["Content-Type"] == PROBLEM_JSON
    assert int(failed.headers["Retry-After"]) > 0
    assert _tasks_titled(api_database, "rolled back") == 0

    after = _post(server, account, {"title": "after"})
    assert after.status_code == 201, after.text
    assert _tasks_titled(api_database, "after") == 1


def test_a_create_survives_connections_the_database_dropped(start_runtime, make_account, api_database):
    """The broken connection fails the pipeline's first round trip, before COMMIT was sent:
    the create runs again on a new connection, and the task exists once."""
    account = make_account()
    url = make_conninfo(api_database, application_name="create-dropped-by-test")
    server = start_runtime(CREATE, DATABASE_URL=url)
    for number in range(3):
        assert _post(server, account, {"title": f"warm-up {number}"}).status_code == 201

    with psycopg.connect(api_database, autocommit=True) as conn:
        dropped = conn.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
            " WHERE application_name = 'create-dropped-by-test'"
        ).fetchone()
    assert dropped is not None
    assert dropped[0] >= 1

    created = _post(server, account, {"title": "after the drop"})
    assert created.status_code == 201, created.text
    assert _tasks_titled(api_database, "after the drop") == 1
