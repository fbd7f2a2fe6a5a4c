"""10,000 due reminders, three dispatcher processes, one SIGKILLed mid-batch: no reminder is
lost, and no delivery is made twice except the one the kill left without an answer.

The dispatchers are what the cluster runs: `python -m functions.runtime` hosting the catalog's
dispatch-reminders handler (its claim lease shortened), each ticked by PingSource-style
CloudEvents. They share a fresh, migrated database of this test's own and a ledger table in
DynamoDB on a moto server process, and send every reminder as a webhook to a receiver in this
test process, which logs each delivery it is handed: a repeat shows even when the process that
sent it is dead. The victim is restarted on its port and joins the other two.

What "exactly once" can mean. Each delivery is claimed in the ledger (a conditional put),
handed to the receiver, then confirmed; its row is marked sent when the batch commits. A
SIGKILL leaves the one delivery its dispatcher had in flight in one of these states:

- not claimed (or the claim never reached DynamoDB): the batch rolls back, another
  dispatcher sends it, once;
- claimed, not yet handed over: others leave it until the claim's lease runs out, then
  send it, once;
- handed over, not confirmed: the ledger cannot tell this from the state above, so it too
  is sent again once the lease has run out, and the receiver gets it twice;
- confirmed: the ledger says sent; the next dispatcher marks the row sent without sending.

No dispatcher can close the third window on its own: the receiver has the delivery while the
ledger holds only a claim, and nothing in the delivery lets a receiver drop a repeat. The system
resolves it as at-least-once for that single delivery (a late repeat rather than a lost
reminder), and at most one delivery per killed dispatcher is affected, since a dispatcher has
one in flight at a time. The test kills in that window on purpose, the worst instant: the
receiver SIGKILLs the victim's process group while holding its request, after 3,000
deliveries. It asserts that every reminder arrived, that every delivery arrived exactly once
except that one, which arrived exactly twice and the second time only after the lease, and
that every row and every ledger record says sent.
"""

from __future__ import annotations

import importlib
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import psutil
import psycopg
import pytest
import requests
from psycopg.rows import dict_row

from functions.catalog import by_name
from functions.domain.reminders.dispatch import delivery_id
from functions.platform.dynamo import ensure_tables, ledger_model
from functions.platform.settings import Settings
from functions.runtime.cloudevents import PING_TYPE
from tests.prove.stack import poll
from tests.support.processes import READINESS_PATH, REPO_ROOT, free_port, stop, wait_until_ready

# make prove runs 10,000 (20,000 conditional writes and updates on the moto ledger: 45-65 s
# of its one core; one to two and a half minutes on two shared cores, hence a bound of its
# own above the suite's 120 s); make test runs the same proof over 2,000.
pytestmark = [pytest.mark.prove, pytest.mark.timeout(300)]

REMINDERS = int(os.environ.get("PROVE_REMINDERS", "2000"))
USERS = 100
KILL_AFTER = REMINDERS * 3 // 10  # deliveries before the trap is set: the victim is well into its share
# Stands for the ledger's 120 s lease: how long a dead dispatcher's claim keeps others off.
LEASE_SECONDS = 5
TICK_SECONDS = 0.25  # the PingSource's period (a minute in the cluster)
DISPATCH = by_name("dispatch-reminders")
HANDLER = "tests.prove.test_reminder_dispatchers.dispatch_reminders"
WEBHOOK_SECRET = "prove-dispatchers-secret"


def dispatch_reminders(event: dict[str, Any], context: Any) -> Any:
    """The catalog's dispatch handler, as the runtime processes below host it, with the
    ledger's claim lease shortened so a dead dispatcher's claim runs out within the test."""
    module = importlib.import_module(DISPATCH.handler.rpartition(".")[0])
    module.ledger.lease_seconds = LEASE_SECONDS
    return module.handler(event, context)


@dataclass(frozen=True)
class Delivery:
    task_id: str
    delivery_id: str  # what an idempotent receiver deduplicates on
    received: float  # time.monotonic() in this process


@dataclass
class Trap:
    """SIGKILLs the victim's process group on the first delivery it sends once set: after the
    receiver has the delivery, before the dispatcher can hear so and confirm it."""

    victim: subprocess.Popen[bytes]
    sprung: threading.Event = field(default_factory=threading.Event)
    delivery: Delivery | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)

    def spring(self, client: tuple[str, int], delivery: Delivery) -> bool:
        with self.lock:
            if self.sprung.is_set() or not self._sent_by_victim(client):
                return False
            os.killpg(self.victim.pid, signal.SIGKILL)
            self.delivery = delivery
            self.sprung.set()
            return True

    def _sent_by_victim(self, client: tuple[str, int]) -> bool:
        """Whether the connection from `client` belongs to the victim (its gunicorn worker)."""
        try:
            root = psutil.Process(self.victim.pid)
            processes = [root, *root.children(recursive=True)]
            return any(
                connection.laddr and (connection.laddr.ip, connection.laddr.port) == client
                for process in processes
                for connection in process.net_connections(kind="tcp")
            )
        except psutil.Error:
            return False


class Receiver(ThreadingHTTPServer):
    """Every user's webhook endpoint: logs each delivery it is handed, in this process."""

    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Endpoint)
        self.deliveries: list[Delivery] = []
        self.lock = threading.Lock()
        self.trap: Trap | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/hooks/"

    def record(self, payload: dict[str, Any], client: tuple[str, int]) -> bool:
        """Logs the delivery; True when it sprang the trap (its sender is dead, answer nothing)."""
        delivery = Delivery(payload["task_id"], payload["delivery_id"], time.monotonic())
        with self.lock:
            self.deliveries.append(delivery)
        trap = self.trap
        return trap is not None and trap.spring(client, delivery)

    def delivered(self) -> list[Delivery]:
        with self.lock:
            return list(self.deliveries)


class _Endpoint(BaseHTTPRequestHandler):
    server: Receiver

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        if self.server.record(json.loads(body), self.client_address[:2]):
            self.close_connection = True
            return
        self.send_response(204)
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        pass  # ten thousand access lines would only slow the receiver


@dataclass
class Dispatcher:
    """One dispatch-reminders service: a runtime process on a fixed port, restartable there."""

    port: int
    env: dict[str, str]
    log_path: Path
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    def start(self) -> None:
        with open(self.log_path, "ab") as log:
            # A session of its own: SIGKILL to the group takes the worker down with the master,
            # as a container kill does.
            self.process = subprocess.Popen(
                [sys.executable, "-m", "functions.runtime"],
                cwd=REPO_ROOT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        wait_until_ready(f"http://127.0.0.1:{self.port}{READINESS_PATH}", self.process, timeout=30)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            stop(self.process)

    def outcomes(self) -> list[dict[str, Any]]:
        """What each finished invocation logged it did (Powertools JSON lines)."""
        lines = self.log_path.read_text(errors="replace").splitlines()
        records = [json.loads(line) for line in lines if line.startswith("{") and "reminders dispatched" in line]
        return [record for record in records if record.get("message") == "reminders dispatched"]


def dispatcher_env(database_url: str, aws_endpoint: str, table: str, port: int) -> dict[str, str]:
    """The environment the Knative manifests give the function (see knative/render.py), pointed
    at this test's database, ledger table and receiver."""
    return {
        **os.environ,
        "PYTHONPATH": str(REPO_ROOT),
        "HOST": "127.0.0.1",
        "PORT": str(port),
        "HANDLER": HANDLER,
        "FUNCTION_NAME": DISPATCH.name,
        "ROUTES": "",
        "FUNCTION_TIMEOUT": str(DISPATCH.timeout_seconds),
        "CONCURRENCY": "1",
        "WORKERS": str(DISPATCH.scaling.workers),
        "DATABASE_URL": database_url,
        "AWS_ENDPOINT_URL": aws_endpoint,
        "DELIVERY_LEDGER_TABLE": table,
        # The receiver listens on loopback over plain HTTP.
        "WEBHOOK_ALLOW_PRIVATE_NETWORKS": "true",
    }


def tick(url: str) -> None:
    """One PingSource tick, as Knative delivers it: a binary-mode CloudEvent."""
    requests.post(
        url,
        data=b"{}",
        timeout=DISPATCH.timeout_seconds + 10,
        headers={
            "Content-Type": "application/json",
            "ce-specversion": "1.0",
            "ce-id": str(uuid.uuid4()),
            "ce-type": PING_TYPE,
            "ce-source": f"/apis/v1/namespaces/prove/pingsources/{DISPATCH.name}",
            "ce-time": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        },
    )


def keep_ticking(dispatcher: Dispatcher, halt: threading.Event) -> threading.Thread:
    """Ticks the dispatcher each TICK_SECONDS after its last invocation ends, through kills."""

    def run() -> None:
        while not halt.is_set():
            # Killed, or not restarted yet: the next tick tries again.
            with suppress(requests.RequestException):
                tick(dispatcher.url)
            halt.wait(TICK_SECONDS)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


# Moto's DynamoDB application served alone: the same backend and responses as `moto_server`,
# without its guessing the service of every request or logging a line per request. Each
# delivery costs the ledger two requests, and this server's core is what bounds the test.
MOTO_DYNAMODB = """
import logging, sys
from werkzeug.serving import make_server
from moto.server import create_backend_app
logging.getLogger("werkzeug").setLevel(logging.WARNING)
make_server("127.0.0.1", int(sys.argv[1]), create_backend_app("dynamodb"), threaded=True).serve_forever()
"""


@contextmanager
def moto_server(log_path: Path) -> Iterator[str]:
    """DynamoDB for the ledger: a moto server process of its own (its own core, not this one's)."""
    port = free_port()
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-c", MOTO_DYNAMODB, str(port)], stdout=log, stderr=subprocess.STDOUT
        )
    try:
        poll(lambda: listening(port, process), 30, "the moto server listening")
        yield f"http://127.0.0.1:{port}"
    finally:
        stop(process)


def listening(port: int, process: subprocess.Popen[bytes]) -> bool:
    assert process.poll() is None, f"the moto server exited with {process.returncode}"
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


@contextmanager
def receiving() -> Iterator[Receiver]:
    receiver = Receiver()
    thread = threading.Thread(target=receiver.serve_forever, daemon=True)
    thread.start()
    try:
        yield receiver
    finally:
        receiver.shutdown()
        receiver.server_close()


def seed(database_url: str, webhook_url: str) -> dict[str, str]:
    """REMINDERS due reminders, one per task, over USERS users who take webhooks at `webhook_url`.
    Returns each task's delivery id. Bulk SQL: the schedule columns are written as
    schedules.recompute computes them for an absolute reminder (all three = `at`)."""
    with psycopg.connect(database_url, autocommit=True) as conn:
        with conn.transaction():
            conn.execute(
                "INSERT INTO users (email, password_hash, reminder_webhook_url, webhook_secret)"
                " SELECT 'dispatch-' || n || '@example.com', 'not-a-hash', %s::text || n, %s"
                " FROM generate_series(1, %s) n",
                (webhook_url, WEBHOOK_SECRET, USERS),
            )
            conn.execute("INSERT INTO workspaces (name, personal, created_by) SELECT 'Personal', true, id FROM users")
            conn.execute(
                "INSERT INTO tasks (owner_id, workspace_id, title, due_date)"
                " SELECT w.created_by, w.id, 'reminder ' || n, now() + interval '1 hour'"
                " FROM workspaces w, generate_series(1, %s) n",
                (REMINDERS // USERS,),
            )
            # Due a minute ago, a millisecond apart: the dispatchers take them in a fixed order.
            conn.execute(
                "INSERT INTO reminders (task_id, user_id, at, scheduled_at, occurrence, fire_at)"
                " SELECT id, owner_id, due, due, due, due FROM"
                " (SELECT id, owner_id, now() - interval '1 minute'"
                "  + row_number() OVER (ORDER BY id) * interval '1 millisecond' AS due FROM tasks) t"
            )
        conn.execute("VACUUM ANALYZE reminders")
        rows = (
            conn.cursor(row_factory=dict_row)
            .execute("SELECT id::text AS id, task_id::text AS task_id, occurrence FROM reminders")
            .fetchall()
        )
    return {row["task_id"]: delivery_id(row) for row in rows}


def statuses(database_url: str) -> Counter[str]:
    """How many reminders are in each status; a sent one without a sent_at counts apart."""
    with psycopg.connect(database_url) as conn:
        rows = conn.execute(
            "SELECT CASE WHEN status = 'sent' AND sent_at IS NULL THEN 'sent, no sent_at'"
            " ELSE status END, count(*) FROM reminders GROUP BY 1"
        ).fetchall()
    return Counter(dict(rows))


def ledger_states(settings: Settings) -> dict[str, str]:
    model: Any = ledger_model(settings)
    return {record.delivery_id: record.state for record in model.scan()}


def test_reminders_three_dispatchers_one_killed_mid_send_each_delivered_once(tmp_path: Path, database_url: str) -> None:
    started = time.monotonic()
    with moto_server(tmp_path / "moto.log") as aws_endpoint, receiving() as receiver:
        settings = Settings(
            database_url=database_url,
            aws_endpoint_url=aws_endpoint,
            delivery_ledger_table=f"ledger-{uuid.uuid4().hex[:8]}",
        )
        ensure_tables(settings)
        expected = seed(database_url, receiver.url)
        dispatchers = []
        for number in range(3):
            port = free_port()
            env = dispatcher_env(database_url, aws_endpoint, settings.delivery_ledger_table, port)
            dispatchers.append(Dispatcher(port, env, tmp_path / f"dispatcher-{number}.log"))
        halt = threading.Event()
        tickers: list[threading.Thread] = []
        try:
            for dispatcher in dispatchers:
                dispatcher.start()
            tickers += [keep_ticking(dispatcher, halt) for dispatcher in dispatchers]
            victim = dispatchers[0]
            assert victim.process is not None
            poll(lambda: len(receiver.delivered()) >= KILL_AFTER, 120, f"{KILL_AFTER} deliveries before the kill")
            trap = receiver.trap = Trap(victim.process)
            assert trap.sprung.wait(30), "the victim sent nothing more after the trap was set"
            delivered_before_kill = len(receiver.delivered())
            assert victim.process.wait(10) == -signal.SIGKILL
            victim.start()  # restarted on its port; its ticker reaches it again
            poll(
                lambda: (
                    {d.task_id for d in receiver.delivered()} >= expected.keys()
                    and statuses(database_url) == {"sent": REMINDERS}
                ),
                240,
                "every reminder delivered and marked sent",
            )
        finally:
            halt.set()
            for dispatcher in dispatchers:
                dispatcher.stop()
        for ticker in tickers:
            ticker.join(DISPATCH.timeout_seconds + 15)
        deliveries = receiver.delivered()
        ledger = ledger_states(settings)

    # No loss: every reminder reached its receiver; nothing else did.
    counts = Counter(delivery.task_id for delivery in deliveries)
    assert counts.keys() == expected.keys()
    # No repeat but the delivery the kill left unanswered, which went out once more after the lease.
    assert trap.delivery is not None
    unanswered = trap.delivery.task_id
    assert {task: n for task, n in counts.items() if n > 1} == {unanswered: 2}
    first, second = (delivery for delivery in deliveries if delivery.task_id == unanswered)
    # ... with the same delivery id: a receiver that drops repeats handles each reminder exactly once.
    assert first.delivery_id == second.delivery_id == expected[unanswered]
    assert Counter(delivery.delivery_id for delivery in deliveries).keys() == set(expected.values())
    first, second = first.received, second.received
    # Its claim was taken just before it reached the receiver; a second claim waits out the lease.
    assert second - first > LEASE_SECONDS - 1, f"sent again {second - first:.2f}s after, within the lease"
    # The database and the ledger agree: every row and every delivery record says sent.
    assert statuses(database_url) == {"sent": REMINDERS}
    assert ledger == dict.fromkeys(expected.values(), "sent")

    sent = [sum(outcome["sent"] for outcome in dispatcher.outcomes()) for dispatcher in dispatchers]
    already_sent = sum(outcome["already_sent"] for dispatcher in dispatchers for outcome in dispatcher.outcomes())
    print(
        f"\n{REMINDERS} reminders, {len(deliveries)} deliveries in {time.monotonic() - started:.1f}s; "
        f"victim killed after {delivered_before_kill} deliveries and restarted; the unanswered delivery "
        f"repeated {second - first:.1f}s later (lease {LEASE_SECONDS}s); sent per dispatcher {sent}, victim "
        f"first (what finished invocations logged: not the killed one); {already_sent} found confirmed "
        "in the ledger and marked sent without sending"
    )
