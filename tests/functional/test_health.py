"""GET /health and GET /ready, run as the image runs them, against a real PostgreSQL."""

import pytest
import requests

from tests.conftest import REDIS_URL
from tests.support.processes import free_port, running_runtime

READY = "functions.health.get_ready.handler"
HEALTH = "functions.health.get_health.handler"


def test_health_answers_without_touching_anything(tmp_path):
    with running_runtime({"HANDLER": HEALTH, "DATABASE_URL": ""}, tmp_path) as server:
        response = requests.get(server.base_url + "/health", timeout=5)
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_ready_reports_the_database_and_redis(tmp_path, database_url):
    env = {"HANDLER": READY, "DATABASE_URL": database_url, "REDIS_URL": REDIS_URL}
    with running_runtime(env, tmp_path) as server:
        response = requests.get(server.base_url + "/ready", timeout=5)
    assert response.status_code == 200
    assert response.json() == {"status": "ready", "checks": {"database": "ok", "redis": "ok"}}


def test_ready_is_503_with_retry_after_when_the_database_is_unreachable(tmp_path):
    unreachable = f"postgresql://postgres@127.0.0.1:{free_port()}/nothing"
    env = {"HANDLER": READY, "DATABASE_URL": unreachable, "DATABASE_CONNECT_TIMEOUT_SECONDS": "1"}
    with running_runtime(env, tmp_path) as server:
        response = requests.get(server.base_url + "/ready", timeout=10)
        # The process keeps serving: /ready is an answer, not a crash.
        assert requests.get(server.base_url + "/__runtime/live", timeout=5).status_code == 200
    assert response.status_code == 503
    assert response.headers["Content-Type"] == "application/problem+json"
    assert response.headers["Retry-After"] == "5"
    assert response.json()["checks"]["database"] == "unreachable"


def test_ready_stays_ready_without_redis(tmp_path, database_url):
    env = {"HANDLER": READY, "DATABASE_URL": database_url, "REDIS_URL": f"redis://127.0.0.1:{free_port()}/0"}
    with running_runtime(env, tmp_path) as server:
        response = requests.get(server.base_url + "/ready", timeout=5)
    assert response.status_code == 200
    assert response.json()["checks"] == {"database": "ok", "redis": "unreachable"}


@pytest.fixture(scope="module")
def health_server(tmp_path_factory):
    with running_runtime({"HANDLER": HEALTH}, tmp_path_factory.mktemp("health")) as server:
        yield server


@pytest.mark.parametrize("path", ["/ready/", "/healthz", "/health/x"])
def test_other_paths_get_a_problem_json_404(health_server, path):
    response = requests.get(health_server.base_url + path, timeout=5)
    assert response.status_code == 404
    assert response.headers["Content-Type"] == "application/problem+json"
    assert response.json()["detail"] == f"no route for GET {path}"


@pytest.mark.parametrize("path", ["/health", "/ready"])
def test_the_probes_answer_under_api_too_where_cloudfront_forwards(client, path):
    # CloudFront sends only /api/* to the API: the deploy's smoke test asks there.
    direct, forwarded = client.get(path), client.get("/api" + path)
    assert (direct.status_code, forwarded.status_code) == (200, 200)
    assert forwarded.json() == direct.json()
