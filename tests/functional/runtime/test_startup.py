"""A misconfigured function fails its first start at once, with one line naming the variable."""

from __future__ import annotations

import os
import socket
import subprocess
import sys

import pytest

from tests.support.processes import REPO_ROOT, free_port

from .helpers import BASE_ENV, HANDLERS

RUNTIME_VARIABLES = {*BASE_ENV, "HANDLER", "PORT", "HOST"}


def start(**overrides: str | None) -> subprocess.CompletedProcess[str]:
    env = {key: value for key, value in os.environ.items() if key not in RUNTIME_VARIABLES}
    env.update(
        {
            "PYTHONPATH": os.pathsep.join([str(REPO_ROOT), str(HANDLERS)]),
            "HOST": "127.0.0.1",
            "PORT": str(free_port()),
            "HANDLER": "echo_handlers.handler",
        }
    )
    for key, value in overrides.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    return subprocess.run(
        [sys.executable, "-m", "functions.runtime"], env=env, cwd=HANDLERS, capture_output=True, text=True, timeout=15
    )


CASES = [
    pytest.param({"HANDLER": None}, "HANDLER", id="handler-unset"),
    pytest.param({"HANDLER": "   "}, "HANDLER", id="handler-blank"),
    pytest.param({"HANDLER": "nosuchmodule.handler"}, "HANDLER", id="module-missing"),
    pytest.param({"HANDLER": "echo_handlers.missing_attribute"}, "HANDLER", id="attribute-missing"),
    pytest.param({"HANDLER": "broken_handlers.NOT_CALLABLE"}, "HANDLER", id="not-callable"),
    pytest.param({"HANDLER": "handler"}, "HANDLER", id="handler-without-module"),
    pytest.param({"EVENT_FORMAT": "soap"}, "EVENT_FORMAT", id="event-format"),
    pytest.param({"PORT": "abc"}, "PORT", id="port-not-a-number"),
    pytest.param({"PORT": "70000"}, "PORT", id="port-out-of-range"),
    pytest.param({"FUNCTION_TIMEOUT": "-1"}, "FUNCTION_TIMEOUT", id="timeout-negative"),
    pytest.param({"CONCURRENCY": "0"}, "CONCURRENCY", id="concurrency-zero"),
    pytest.param({"MAX_BODY_BYTES": "lots"}, "MAX_BODY_BYTES", id="body-limit"),
    pytest.param({"ALB_MULTI_VALUE_HEADERS": "maybe"}, "ALB_MULTI_VALUE_HEADERS", id="multi-value-flag"),
    pytest.param({"ROUTES": "FETCH /items"}, "ROUTES", id="routes"),
]


@pytest.mark.parametrize(("overrides", "variable"), CASES)
def test_bad_configuration_exits_with_one_line_naming_the_variable(
    overrides: dict[str, str | None], variable: str
) -> None:
    result = start(**overrides)
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert variable in lines[0]
    assert "Traceback" not in result.stderr


def test_import_error_names_the_module() -> None:
    result = start(HANDLER="nosuchmodule.handler")
    assert "nosuchmodule" in result.stderr
    assert result.returncode == 2


def test_a_port_another_server_listens_on_is_refused_not_shared() -> None:
    # granian's workers listen with SO_REUSEPORT: without the check a second runtime would
    # quietly take half of the first one's connections.
    with socket.socket() as taken:
        taken.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        result = start(PORT=str(taken.getsockname()[1]))
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "cannot listen" in lines[0]
    assert "is not free" in lines[0]
