"""PostgreSQL unreachable: the API answers 503 problem+json with Retry-After, promptly,
never a 500 or a hang. Only a closed private port is "down"; the shared server is untouched."""

from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor

import requests

from tests.functional.robustness.conftest import CLIENT_TIMEOUT, PROBLEM_JSON, REPLICAS, access_token, closed_port

GET_TASKS = "functions.tasks.list_tasks.handler"
POST_TASK = "functions.tasks.create_task.handler"


def test_an_unreachable_database_is_503_with_retry_after(start_runtime):
    outage = {
        "DATABASE_URL": f"postgresql://taskforge@127.0.0.1:{closed_port()}/taskforge",
        "DATABASE_CONNECT_TIMEOUT_SECONDS": "1",
        **REPLICAS,
    }
    lister, creator = start_runtime(GET_TASKS, **outage), start_runtime(POST_TASK, **outage)
    auth = {"Authorization": f"Bearer {access_token(str(uuid.uuid4()))}"}
    requests_to_make = [
        ("GET", f"{lister.base_url}/api/tasks", None, auth),
        ("GET", f"{lister.base_url}/api/tasks?completed=true", None, auth),
        ("POST", f"{creator.base_url}/api/tasks", {"title": "lost?"}, auth),
        ("POST", f"{creator.base_url}/api/tasks", {"title": "lost?"}, {**auth, "Idempotency-Key": "outage-key"}),
    ]

    def send(request: tuple) -> requests.Response:
        method, url, body, headers = request
        return requests.request(method, url, json=body, headers=headers, timeout=CLIENT_TIMEOUT)

    with ThreadPoolExecutor(len(requests_to_make)) as pool:
        responses = list(pool.map(send, requests_to_make))
    # The same outage again: the processes are not broken by it, and still answer promptly.
    responses += [send(requests_to_make[0]), send(requests_to_make[3])]

    for response in responses:
        assert response.status_code == 503, (response.request.method, response.request.url, response.text)
        assert response.headers["Content-Type"] == PROBLEM_JSON
        assert response.json()["status"] == 503
        assert int(response.headers["Retry-After"]) > 0
        assert response.headers["X-Content-Type-Options"] == "nosniff"
