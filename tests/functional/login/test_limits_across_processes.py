"""Failed logins are counted exactly across processes and pods, with Redis up or absent:
two login functions of four worker processes each take concurrent wrong guesses at one
account, and exactly `login_max_failures` passwords are checked (401); every other
guess is refused unchecked (429). Without a client address nobody shares a bucket."""

from __future__ import annotations

import os
import uuid
from concurrent.futures import ThreadPoolExecutor

import psycopg
import pytest
import requests

from tests.functional.robustness.conftest import CLIENT_TIMEOUT, REPLICAS

LOGIN = "functions.auth.post_login.handler"
LIMIT = 10  # settings.login_max_failures
GUESSES = 40


@pytest.mark.parametrize("redis_url", ["", os.environ.get("REDIS_URL", "")], ids=["redis-absent", "redis-up"])
def test_concurrent_wrong_guesses_from_every_pod_check_exactly_the_limit(
    start_runtime, make_account, api_database, redis_url
):
    pods = [start_runtime(LOGIN, REDIS_URL=redis_url, **REPLICAS) for _ in range(2)]
    account = make_account()

    def guess(attempt: int) -> int:
        url = pods[attempt % len(pods)].base_url + "/api/auth/login"
        body = {"email": account.email, "password": f"wrong guess {attempt}"}
        return requests.post(url, json=body, timeout=CLIENT_TIMEOUT).status_code

    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = list(pool.map(guess, range(GUESSES)))

    assert sorted(statuses) == [401] * LIMIT + [429] * (GUESSES - LIMIT)
    right = requests.post(
        pods[0].base_url + "/api/auth/login",
        json={"email": account.email, "password": account.password},
        timeout=CLIENT_TIMEOUT,
    )
    assert right.status_code == 429
    with psycopg.connect(api_database) as conn:
        recorded = conn.execute(
            "SELECT failures FROM login_failures WHERE key = %s", (f"account:{account.id}",)
        ).fetchone()
    assert recorded == (LIMIT,)


def test_failures_from_requests_without_an_address_lock_out_no_one_else(start_runtime, make_account):
    # Nothing in front of the function appends an address: no request has a usable one.
    server = start_runtime(LOGIN)
    url = server.base_url + "/api/auth/login"
    for _ in range(5 * LIMIT + 5):
        wrong = requests.post(
            url,
            json={"email": f"nobody-{uuid.uuid4().hex[:8]}@example.com", "password": "guess"},
            timeout=CLIENT_TIMEOUT,
        )
        assert wrong.status_code == 401

    stranger = make_account()
    right = requests.post(url, json={"email": stranger.email, "password": stranger.password}, timeout=CLIENT_TIMEOUT)

    assert right.status_code == 200, right.text
