"""Runtime processes for the fuzz: one per event format, each hosting the fuzz handler.

FUZZ_EXAMPLES sets hypothesis' budget per test (see hosting.py).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack

import pytest

from tests.support.processes import running_runtime

from .hosting import BASE_ENV, FUNCTIONS, HANDLERS, TALLY, Hosted, worker_pids


@pytest.fixture(scope="session")
def hosted(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Hosted]]:
    """Every fuzzed function, started once; at the end each still serves and drains to exit 0."""
    with ExitStack() as stack:
        functions = {}
        for name, env in FUNCTIONS.items():
            server = stack.enter_context(
                running_runtime({**BASE_ENV, **env}, tmp_path_factory.mktemp(f"fuzz-{name}"), cwd=HANDLERS)
            )
            functions[name] = Hosted(
                name, server, env["EVENT_FORMAT"], takes_cloudevents=not env["ROUTES"], worker_pids=worker_pids(server)
            )
            functions[name].new_log()  # start-up lines are not the fuzz's business
        yield functions
        for function in functions.values():
            function.assert_healthy()
            function.assert_serves()
    for function in functions.values():
        assert function.server.process.returncode == 0, f"{function.name} did not drain cleanly"


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """How the examples this process sent were answered (not collected from xdist workers)."""
    if not TALLY:
        return
    examples = sum(count for (_, outcome), count in TALLY.items() if "pipelined" not in outcome)
    terminalreporter.section(f"fuzz: {examples} examples sent; their answers by kind and status")
    for (kind, outcome), count in sorted(TALLY.items()):
        terminalreporter.write_line(f"{count:7d}  {kind}: {outcome}")
