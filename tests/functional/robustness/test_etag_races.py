"""If-Match under real concurrency: writers holding the same ETag race, exactly one wins.

The function runs as a subprocess with several worker processes, as replicas race in
the cluster (in process, the local gateway runs one invocation at a time).
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import requests

from tests.functional.robustness.conftest import CLIENT_TIMEOUT, PROBLEM_JSON, REPLICAS

PATCH = "functions.tasks.patch_task.handler"
DELETE = "functions.tasks.delete_task.handler"


def test_ten_patches_with_the_same_etag_one_wins(make_account, start_runtime):
    server = start_runtime(PATCH, **REPLICAS)
    account = make_account()
    created = account.client.post("/api/tasks", json={"title": "original"})
    task_id, etag = created.json()["id"], created.header("ETag")
    writers = 10
    start = threading.Barrier(writers)

    def patch(index: int) -> tuple[str, requests.Response]:
        title = f"writer {index}"
        with requests.Session() as session:
            start.wait(timeout=10)
            response = session.patch(
                f"{server.base_url}/api/tasks/{task_id}",
                json={"title": title},
                headers={"Authorization": f"Bearer {account.access_token}", "If-Match": etag},
                timeout=CLIENT_TIMEOUT,
            )
        return title, response

    with ThreadPoolExecutor(writers) as pool:
        results = list(pool.map(patch, range(writers)))

    statuses = sorted(response.status_code for _, response in results)
    assert statuses == [200] + [412] * (writers - 1), statuses
    winner_title, winner = next((title, response) for title, response in results if response.status_code == 200)
    for _, response in results:
        if response.status_code == 412:
            assert response.headers["Content-Type"] == PROBLEM_JSON
    final = account.client.get(f"/api/tasks/{task_id}")
    assert final.json()["title"] == winner_title
    assert final.json() == winner.json()
    assert final.header("ETag") == winner.headers["ETag"] != etag


def test_a_delete_racing_a_patch_with_the_same_etag_one_wins(make_account, start_runtime):
    patcher, deleter = start_runtime(PATCH, **REPLICAS), start_runtime(DELETE, **REPLICAS)
    account = make_account()
    auth = {"Authorization": f"Bearer {account.access_token}"}
    for round_number in range(6):
        created = account.client.post("/api/tasks", json={"title": f"round {round_number}"})
        task_id, etag = created.json()["id"], created.header("ETag")
        start = threading.Barrier(2)

        def patch(task_id: str = task_id, etag: str = etag, start: threading.Barrier = start) -> requests.Response:
            with requests.Session() as session:
                start.wait(timeout=10)
                return session.patch(
                    f"{patcher.base_url}/api/tasks/{task_id}",
                    json={"title": "patched"},
                    headers={**auth, "If-Match": etag},
                    timeout=CLIENT_TIMEOUT,
                )

        def delete(task_id: str = task_id, etag: str = etag, start: threading.Barrier = start) -> requests.Response:
            with requests.Session() as session:
                start.wait(timeout=10)
                return session.delete(
                    f"{deleter.base_url}/api/tasks/{task_id}",
                    headers={**auth, "If-Match": etag},
                    timeout=CLIENT_TIMEOUT,
                )

        with ThreadPoolExecutor(2) as pool:
            patched_future, deleted_future = pool.submit(patch), pool.submit(delete)
            patched, deleted = patched_future.result(), deleted_future.result()

        after = account.client.get(f"/api/tasks/{task_id}")
        if deleted.status_code == 204:
            # The patch lost to the delete: the task is gone, so the patch finds nothing.
            assert patched.status_code in (404, 412), patched.text
            assert after.status_code == 404
        else:
            assert (patched.status_code, deleted.status_code) == (200, 412), (patched.text, deleted.text)
            assert after.status_code == 200
            assert after.json()["title"] == "patched"
