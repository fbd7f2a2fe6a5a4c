"""SIGTERM: readiness turns false, in-flight work finishes, the process exits 0.

The handler holds its request open until the test creates a release file, so the
signal always lands while a request is known to be in flight.
"""

from __future__ import annotations

import http.client
import signal
from urllib.parse import urlsplit

import psutil
import pytest
import requests

from tests.support.processes import Server

from .helpers import STRICT, THREADED, request_in_flight, runtime, wait_for


def probe_on_new_connection(server: Server) -> str:
    """'200', '503', … or 'refused' / 'no answer' for a fresh connection, as a kubelet probes."""
    try:
        response = requests.get(f"{server.base_url}/__runtime/ready", timeout=0.5, headers={"Connection": "close"})
    except requests.ConnectionError as exc:
        return "no answer" if isinstance(exc, requests.ConnectTimeout) else "refused"
    except requests.Timeout:
        return "no answer"
    return str(response.status_code)


@pytest.mark.parametrize("mode", [THREADED, STRICT], ids=["threaded", "strict"])
def test_in_flight_request_finishes_and_the_process_exits_0(
    tmp_path_factory: pytest.TempPathFactory, mode: dict[str, str]
) -> None:
    with request_in_flight(tmp_path_factory, mode) as in_flight:
        in_flight.server.process.send_signal(signal.SIGTERM)
        response = in_flight.release()
        assert response.status_code == 200
        assert response.text == "finished"
        assert in_flight.exit_code() == 0


def test_readiness_on_an_open_connection_turns_503(tmp_path_factory: pytest.TempPathFactory) -> None:
    with request_in_flight(tmp_path_factory, THREADED) as in_flight:
        address = urlsplit(in_flight.server.base_url)
        connection = http.client.HTTPConnection(address.hostname or "", address.port, timeout=5)
        statuses: list[int] = []

        def probe() -> int:
            connection.request("GET", "/__runtime/ready")  # kept alive between probes
            response = connection.getresponse()
            response.read()
            statuses.append(response.status)
            return response.status

        try:
            assert probe() == 200  # the connection is open before the signal
            in_flight.server.process.send_signal(signal.SIGTERM)
            assert wait_for(lambda: probe() != 200, timeout=5), statuses
        finally:
            connection.close()
        assert statuses[-1] == 503
        assert in_flight.release().status_code == 200
        assert in_flight.exit_code() == 0


def test_readiness_on_a_new_connection_is_503_or_refused(tmp_path_factory: pytest.TempPathFactory) -> None:
    # A kubelet probes on a fresh connection each time. Once the worker has taken the
    # signal (the first probe that is not 200), every probe must fail fast, answered
    # 503 or refused, not be accepted and then left unanswered.
    with request_in_flight(tmp_path_factory, THREADED) as in_flight:
        assert probe_on_new_connection(in_flight.server) == "200"
        in_flight.server.process.send_signal(signal.SIGTERM)
        outcomes: list[str] = []

        def not_ready() -> bool:
            outcomes.append(probe_on_new_connection(in_flight.server))
            return outcomes[-1] != "200"

        assert wait_for(not_ready, timeout=5), outcomes
        outcomes += [probe_on_new_connection(in_flight.server) for _ in range(3)]
        assert in_flight.release().status_code == 200
        assert in_flight.exit_code() == 0
        signalled = next(index for index, outcome in enumerate(outcomes) if outcome != "200")
        assert set(outcomes[signalled:]) <= {"503", "refused"}, f"readiness probes after SIGTERM: {outcomes}"


def test_a_worker_stops_when_its_server_is_killed_outright(tmp_path_factory: pytest.TempPathFactory) -> None:
    # SIGKILL leaves the server process no chance to stop its workers; each must see it go
    # and stop by itself, not outlive it holding the port (the local stack kills this way).
    with request_in_flight(tmp_path_factory, THREADED) as in_flight:
        [worker] = psutil.Process(in_flight.server.process.pid).children()
        in_flight.server.process.send_signal(signal.SIGKILL)
        try:
            assert in_flight.release().status_code == 200  # the worker drains what it had in flight
            assert wait_for(lambda: not worker.is_running() or worker.status() == psutil.STATUS_ZOMBIE, timeout=10)
        finally:
            if worker.is_running():
                worker.kill()  # not left behind by a failure


@pytest.mark.parametrize("attempt", range(3))
def test_sigterm_as_the_workers_start_still_drains_every_one(
    tmp_path_factory: pytest.TempPathFactory, attempt: int
) -> None:
    # A supervisor may stop a pod as soon as it is ready, while its other workers are still
    # starting: each must see the signal and stop, not serve on until the grace runs out
    # (FUNCTION_TIMEOUT + 5 = 35 s here) and be killed.
    env = {"HANDLER": "drain_handlers.hold", "DRAIN_DIR": str(tmp_path_factory.mktemp("drain")), "WORKERS": "3"}
    with runtime(tmp_path_factory, f"early-sigterm-{attempt}", env) as server:
        server.process.send_signal(signal.SIGTERM)
        assert wait_for(lambda: server.process.poll() is not None, timeout=15), "still running 15 s after SIGTERM"
        assert server.process.returncode == 0
