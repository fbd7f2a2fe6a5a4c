"""The per-user API limit: past it, 429 with Retry-After, for that user only; with Redis or,
more weakly (per process), without it."""

from __future__ import annotations

import json

import requests

from tests.functional.robustness.conftest import CLIENT_TIMEOUT, PROBLEM_JSON


def _bearer(account) -> dict[str, str]:
    return {"Authorization": f"Bearer {account.access_token}"}


def test_the_sixth_request_in_the_minute_is_429_for_that_user_only(start_runtime, make_account):
    server = start_runtime("functions.tasks.list_tasks.handler", API_RATE_LIMIT_PER_MINUTE="5")
    busy, other = make_account(), make_account()
    url = server.base_url + "/api/tasks"

    allowed = [requests.get(url, headers=_bearer(busy), timeout=CLIENT_TIMEOUT) for _ in range(5)]
    limited = requests.get(url, headers=_bearer(busy), timeout=CLIENT_TIMEOUT)
    still_limited = requests.get(url, headers=_bearer(busy), timeout=CLIENT_TIMEOUT)
    unaffected = requests.get(url, headers=_bearer(other), timeout=CLIENT_TIMEOUT)

    assert [response.status_code for response in allowed] == [200] * 5
    for response in (limited, still_limited):
        assert response.status_code == 429, response.text
        assert response.headers["Content-Type"] == PROBLEM_JSON
        assert 0 < int(response.headers["Retry-After"]) <= 60
        assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert unaffected.status_code == 200
    assert unaffected.json() == {"items": [], "next_cursor": None}


def test_without_redis_the_limit_holds_per_process_and_says_so(start_runtime, make_account):
    # No Redis at all (`make dev`'s default): the function counts in its own process, and
    # every such count emits the RateLimitFallback metric an operator can alarm on.
    server = start_runtime("functions.tasks.list_tasks.handler", API_RATE_LIMIT_PER_MINUTE="5", REDIS_URL="")
    busy, other = make_account(), make_account()
    url = server.base_url + "/api/tasks"

    statuses = [requests.get(url, headers=_bearer(busy), timeout=CLIENT_TIMEOUT).status_code for _ in range(7)]
    unaffected = requests.get(url, headers=_bearer(other), timeout=CLIENT_TIMEOUT)

    assert statuses == [200] * 5 + [429] * 2
    assert unaffected.status_code == 200
    metrics = [json.loads(line) for line in server.log().splitlines() if '"RateLimitFallback"' in line]
    assert len(metrics) == 8
    assert {metric["operation"] for metric in metrics} == {"api-rate-limit"}
    assert metrics[0]["_aws"]["CloudWatchMetrics"][0]["Namespace"] == "TaskForge"
