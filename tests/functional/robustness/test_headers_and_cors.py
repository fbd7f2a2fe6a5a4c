"""Every API response carries the security headers, whatever its status; CORS answers
only the configured origin."""

from __future__ import annotations

import uuid

import pytest
import requests

from tests.functional.api.conftest import PASSWORD
from tests.functional.robustness.conftest import CLIENT_TIMEOUT
from tests.support.wsgi_client import WsgiResponse

APP_ORIGIN = "https://app.example.com"


def _assert_security_headers(response: WsgiResponse, what: str) -> None:
    assert "max-age=" in (response.header("Strict-Transport-Security") or ""), what
    assert response.header("X-Content-Type-Options") == "nosniff", what
    csp = response.header("Content-Security-Policy") or ""
    assert "frame-ancestors" in csp, what
    assert response.header("Cache-Control") == "no-store", what


def test_every_handler_response_carries_the_security_headers(client, make_account):
    account = make_account()
    api = account.client
    created = api.post("/api/tasks", json={"title": "headers"})
    task_id, etag = created.json()["id"], created.header("ETag")
    api.patch(f"/api/tasks/{task_id}", json={"title": "changed"})
    doomed = api.post("/api/tasks", json={"title": "doomed"}).json()["id"]
    responses = {
        "201 create": created,
        "201 batch": api.post("/api/tasks/batch", json={"tasks": [{"title": "b"}]}),
        "201 register": client.post(
            "/api/auth/register", json={"email": f"h-{uuid.uuid4().hex[:8]}@example.com", "password": PASSWORD}
        ),
        "200 list": api.get("/api/tasks"),
        "200 get": api.get(f"/api/tasks/{task_id}"),
        "200 stats": api.get("/api/stats"),
        "200 me": api.get("/api/auth/me"),
        "200 login": client.post("/api/auth/login", json={"email": account.email, "password": account.password}),
        "204 delete": api.delete(f"/api/tasks/{doomed}"),
        "400 cursor": api.get("/api/tasks", params={"cursor": "garbage!"}),
        "400 idempotency key": api.post("/api/tasks", json={"title": "x"}, headers={"Idempotency-Key": ""}),
        "401 no token": client.get("/api/tasks"),
        "401 bad login": client.post("/api/auth/login", json={"email": account.email, "password": "wrong one"}),
        "404 task": api.get(f"/api/tasks/{uuid.uuid4()}"),
        "409 register": client.post("/api/auth/register", json={"email": account.email, "password": PASSWORD}),
        "412 stale": api.patch(f"/api/tasks/{task_id}", json={"title": "late"}, headers={"If-Match": etag}),
        "422 body": api.post("/api/tasks", json={"title": ""}),
        "422 query": api.get("/api/tasks", params={"limit": 0}),
    }
    for what, response in responses.items():
        assert response.status_code == int(what.split()[0]), (what, response.text)
        _assert_security_headers(response, what)


def test_a_body_over_the_limit_is_refused_with_the_security_headers(make_account):
    # The runtime refuses it before the handler runs: its answer must be as hardened.
    response = make_account().client.post(
        "/api/tasks", body=b"x" * (6 * 1024 * 1024 + 1), headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 413
    _assert_security_headers(response, "413 too large")


@pytest.fixture
def cors_server(start_runtime):
    return start_runtime("functions.tasks.list_tasks.handler", CORS_ALLOW_ORIGIN=APP_ORIGIN)


def _names(header: str | None) -> set[str]:
    return {part.strip().lower() for part in (header or "").split(",") if part.strip()}


def test_a_preflight_from_the_app_origin_is_allowed_with_credentials(cors_server):
    response = requests.options(
        cors_server.base_url + "/api/tasks",
        timeout=CLIENT_TIMEOUT,
        headers={
            "Origin": APP_ORIGIN,
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "authorization, idempotency-key, if-match",
        },
    )

    assert response.status_code in (200, 204)
    assert response.headers["Access-Control-Allow-Origin"] == APP_ORIGIN
    assert response.headers["Access-Control-Allow-Credentials"] == "true"
    assert {"authorization", "idempotency-key", "if-match"} <= _names(response.headers["Access-Control-Allow-Headers"])
    assert "GET" in response.headers["Access-Control-Allow-Methods"]


def test_a_response_to_the_app_origin_exposes_etag(cors_server, make_account):
    token = make_account().access_token
    response = requests.get(
        cors_server.base_url + "/api/tasks",
        timeout=CLIENT_TIMEOUT,
        headers={"Origin": APP_ORIGIN, "Authorization": f"Bearer {token}"},
    )

    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == APP_ORIGIN
    assert response.headers["Access-Control-Allow-Credentials"] == "true"
    assert "etag" in _names(response.headers.get("Access-Control-Expose-Headers"))


@pytest.mark.parametrize(
    "origin", ["https://evil.example.com", "https://app.example.com.evil.net", "http://app.example.com", "null"]
)
def test_another_origin_gets_no_cors_grant(cors_server, make_account, origin):
    token = make_account().access_token
    preflight = requests.options(
        cors_server.base_url + "/api/tasks",
        timeout=CLIENT_TIMEOUT,
        headers={
            "Origin": origin,
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "authorization",
        },
    )
    actual = requests.get(
        cors_server.base_url + "/api/tasks",
        timeout=CLIENT_TIMEOUT,
        headers={"Origin": origin, "Authorization": f"Bearer {token}"},
    )

    for response in (preflight, actual):
        assert "Access-Control-Allow-Origin" not in response.headers
        assert "Access-Control-Allow-Credentials" not in response.headers
    assert actual.status_code == 200  # CORS is for browsers; the API itself still answers
