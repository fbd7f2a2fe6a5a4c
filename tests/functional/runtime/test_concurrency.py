"""Requests run concurrently in one container; CONCURRENCY=1 WORKERS=1 is one at a time."""

from __future__ import annotations

import json
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from tests.support.processes import Server

from .helpers import STRICT, request_in_flight, runtime


@pytest.fixture(scope="module")
def concurrent(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    env = {"HANDLER": "concurrency_handlers.rendezvous", "CONCURRENCY": "4", "WORKERS": "1"}
    with runtime(tmp_path_factory, "concurrent", env) as server:
        yield server


@pytest.fixture(scope="module")
def strict(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    env = {"HANDLER": "concurrency_handlers.count", "CONCURRENCY": "1", "WORKERS": "1"}
    with runtime(tmp_path_factory, "strict", env) as server:
        yield server


def get_many(url: str, count: int) -> list[requests.Response]:
    with ThreadPoolExecutor(max_workers=count) as pool:
        futures = [pool.submit(requests.get, url, timeout=30) for _ in range(count)]
        return [future.result() for future in futures]


def test_four_requests_are_inside_the_handler_at_once(concurrent: Server) -> None:
    # The handler's barrier releases only when four invocations overlap; otherwise 502s.
    responses = get_many(f"{concurrent.base_url}/meet", 4)
    assert [response.status_code for response in responses] == [200] * 4
    assert sorted(response.text for response in responses) == ["0", "1", "2", "3"]


def test_strict_mode_runs_one_invocation_at_a_time(strict: Server) -> None:
    responses = get_many(f"{strict.base_url}/work", 5)
    assert [response.status_code for response in responses] == [200] * 5
    most = requests.get(f"{strict.base_url}/most", timeout=30)
    assert most.status_code == 200
    assert json.loads(most.text) == {"most_inside": 1}


@pytest.mark.parametrize("probe", ["/__runtime/live", "/__runtime/ready"])
def test_strict_mode_answers_probes_while_an_invocation_runs(
    tmp_path_factory: pytest.TempPathFactory, probe: str
) -> None:
    # One invocation at a time must not mean one connection at a time: a kubelet
    # probing a function busy with a long request would otherwise restart it.
    with request_in_flight(tmp_path_factory, STRICT) as in_flight:
        try:
            status: int | str = requests.get(f"{in_flight.server.base_url}{probe}", timeout=2).status_code
        except requests.Timeout:
            status = "no answer within 2 s"
        assert in_flight.release().status_code == 200
        assert status == 200
