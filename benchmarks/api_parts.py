"""Where one GET /api/tasks request spends its time: the list-tasks function in this process.

The function is mounted as the local gateway mounts it (RuntimeApp, the production code
path) and called through WSGI without a socket, against the same database, Redis and
cache scope as the load runs. Its parts are wrapped in timers by replacing module and
object attributes, so nothing in functions/ changes; a part called several times in one
request (Task.from_row, once per row) is summed per request. Medians over the requests.
What the process prints (the handler's log lines and metrics) goes to a file, so
logging still costs what it costs in the stack.
"""

from __future__ import annotations

import functools
import os
import statistics
import sys
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

# (label, top level?) in the order printed; the top-level parts do not nest in each other.
PARTS = (
    ("token signature (JWT verify)", True),
    ("rate limit (Redis pipeline)", True),
    ("SQL: token, membership, generation (1 stmt)", True),
    ("Redis GET of the page (a hit: sent as is)", True),
    ("transaction of a miss, all of it", True),
    ("  SQL: the page (list_page, 51 rows)", False),
    ("  Task.from_row, 50 rows (miss)", False),
    ("json.dumps, Redis SET of the page (miss)", True),
)


@contextmanager
def stdout_to(path: Path) -> Iterator[None]:
    """File descriptor 1 into `path` (what print and the log handlers write), then back."""
    sys.stdout.flush()
    saved = os.dup(1)
    with open(path, "ab") as sink:
        os.dup2(sink.fileno(), 1)
        try:
            yield
        finally:
            sys.stdout.flush()
            os.dup2(saved, 1)
            os.close(saved)


def breakdown(
    environment: dict[str, str], token: str, bump: Callable[[], object], path: str, requests: int, log: Path
) -> str:
    os.environ.update(environment)
    with stdout_to(log):
        return _measure(token, bump, path, requests)


def _measure(token: str, bump: Callable[[], object], path: str, requests: int) -> str:
    from functions.catalog import by_name
    from functions.devserver.gateway import Gateway, mount
    from functions.domain.tasks import models as task_models
    from functions.domain.tasks import tasks
    from tests.support.wsgi_client import WsgiClient

    client = WsgiClient(Gateway([mount(by_name("list-tasks"))], None))
    import functions.tasks.list_tasks as handle

    spent: dict[str, float] = defaultdict(float)

    def timed(owner: Any, name: str, label: str) -> None:
        original = getattr(owner, name)

        @functools.wraps(original)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            began = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                spent[label] += time.perf_counter() - began

        setattr(owner, name, wrapper)

    deps = handle.deps
    targets = (
        (deps.verifier, "verify"),
        (deps.counters, "add"),
        (deps.database, "read"),
        (deps.cache, "get_text"),
        (deps.database, "transaction"),
        (tasks, "list_page"),
        (task_models.Task, "from_row"),
        (deps.cache, "set_text"),
    )
    for (owner, name), (label, _) in zip(targets, PARTS, strict=True):
        timed(owner, name, label)

    headers = {"Authorization": f"Bearer {token}"}
    samples: dict[bool, dict[str, list[float]]] = {False: defaultdict(list), True: defaultdict(list)}
    for _ in range(20):  # warm-up: pool, prepared statements
        client.request("GET", path, headers=headers)
    for miss in (False, True) * 2:  # alternated, half the requests in each turn
        for _ in range(requests // 2):
            if miss:
                bump()
            spent.clear()
            began = time.perf_counter()
            response = client.request("GET", path, headers=headers)
            whole = time.perf_counter() - began
            if response.status_code != 200:
                raise RuntimeError(f"in-process GET {path}: {response.status_code} {response.text[:200]}")
            samples[miss]["whole"].append(whole)
            top = sum(spent[label] for label, is_top in PARTS if is_top)
            samples[miss]["rest"].append(whole - top)
            for label, _ in PARTS:
                samples[miss][label].append(spent[label])
    return _table(samples, requests)


def _table(samples: dict[bool, dict[str, list[float]]], requests: int) -> str:
    def cell(miss: bool, label: str) -> str:
        values = samples[miss][label]
        value = statistics.median(values) * 1000
        return f"{value:6.2f} ms" if any(values) else "      - "

    rows = [
        f"    {'':44} {'hit':>9} {'miss':>9}",
        f"    {'whole request (WSGI, no socket)':44} {cell(False, 'whole')} {cell(True, 'whole')}",
    ]
    rows += [f"    {label:44} {cell(False, label)} {cell(True, label)}" for label, _ in PARTS]
    rows.append(f"    {'rest: Powertools, runtime, gateway, logging':44} {cell(False, 'rest')} {cell(True, 'rest')}")
    return (
        f"  one request's parts, list-tasks in this process, median of {requests} hits and {requests} misses "
        "(each part's own median, so they do not add up exactly):\n" + "\n".join(rows)
    )
