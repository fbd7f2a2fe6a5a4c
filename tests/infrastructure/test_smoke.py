"""scripts/deploy/smoke.py against a local HTTP server playing CloudFront: the SPA's index, the
API's health and readiness, a smoke account's registration and login; each failure named in one
line, and retries bounded."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from .deploy_scripts import deploy_script

smoke = deploy_script("smoke")
EMAIL, PASSWORD = "smoke-test@example.com", "a-generated-Password-0123456789"
ENVIRON = {"SMOKE_EMAIL": EMAIL, "SMOKE_PASSWORD": PASSWORD}


class Site:
    """What each path answers; a test changes one entry to break one check."""

    def __init__(self) -> None:
        self.registered: set[str] = set()
        self.requests: list[str] = []
        self.answers: dict[str, tuple[int, Any]] = {
            "GET /": (200, '<!doctype html><html><body><div id="root"></div></body></html>'),
            "GET /api/health": (200, {"status": "ok"}),
            "GET /api/ready": (200, {"status": "ok"}),
        }

    def answer(self, method: str, path: str, body: dict[str, Any], authorization: str) -> tuple[int, Any]:
        key = f"{method} {path}"
        self.requests.append(key)
        if key in self.answers:
            return self.answers[key]
        if key == "POST /api/auth/register":
            if body["email"] in self.registered:
                return 409, {"title": "Conflict"}
            self.registered.add(body["email"])
            return 201, {"email": body["email"]}
        if key == "POST /api/auth/login":
            ok = body["email"] in self.registered and body["password"] == PASSWORD
            return (200, {"access_token": "token-1", "token_type": "Bearer"}) if ok else (401, {"title": "no"})
        if key == "GET /api/auth/me":
            return (200, {"email": EMAIL}) if authorization == "Bearer token-1" else (401, {"title": "no"})
        return 404, {"title": "Not Found"}


@pytest.fixture
def site() -> Iterator[tuple[Site, str]]:
    state = Site()

    class Handler(BaseHTTPRequestHandler):
        def _serve(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = json.loads(self.rfile.read(length)) if length else {}
            status, payload = state.answer(self.command, self.path, body, self.headers.get("Authorization", ""))
            data = payload.encode() if isinstance(payload, str) else json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = _serve

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield state, f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    thread.join()


def test_a_healthy_deploy_passes_first_time_and_registers_the_account_once(
    site: tuple[Site, str], capsys: pytest.CaptureFixture[str]
) -> None:
    state, url = site
    pauses: list[float] = []
    assert smoke.main([url], ENVIRON, sleep=pauses.append) == 0
    assert smoke.main([url], ENVIRON, sleep=pauses.append) == 0  # the next deploy: 409, then a login
    assert pauses == []
    assert state.registered == {EMAIL}
    assert state.requests[:6] == [
        "GET /",
        "GET /api/health",
        "GET /api/ready",
        "POST /api/auth/register",
        "POST /api/auth/login",
        "GET /api/auth/me",
    ]
    assert "serves the SPA, the API and a login" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("key", "answer", "named"),
    [
        ("GET /", (200, "<html>an error page</html>"), "GET /: 200, not the SPA's index"),
        ("GET /", (403, "denied"), "GET /: status 403"),
        ("GET /api/health", (200, {"status": "starting"}), "GET /api/health: status 200"),
        ("GET /api/health", (404, "<html>the SPA</html>"), "GET /api/health: status 404"),
        ("GET /api/ready", (503, {"title": "Service Unavailable"}), "GET /api/ready: status 503"),
        ("POST /api/auth/register", (400, {"title": "weak password"}), "POST /api/auth/register: status 400"),
        ("POST /api/auth/login", (401, {"title": "no"}), "POST /api/auth/login: status 401"),
        ("POST /api/auth/login", (200, {"token_type": "Bearer"}), "POST /api/auth/login: no access_token"),
        ("GET /api/auth/me", (200, {"email": "someone@else.example"}), "GET /api/auth/me: status 200, not the smoke"),
    ],
)
def test_each_failing_check_is_named_in_one_line(
    site: tuple[Site, str], capsys: pytest.CaptureFixture[str], key: str, answer: tuple[int, Any], named: str
) -> None:
    state, url = site
    state.answers[key] = answer
    assert smoke.main([url, "--attempts", "1"], ENVIRON, sleep=lambda _: None) == 1
    last = capsys.readouterr().err.strip().splitlines()[-1]
    assert last.startswith(f"smoke: {named}"), last


def test_retries_are_bounded_and_back_off(site: tuple[Site, str], capsys: pytest.CaptureFixture[str]) -> None:
    state, url = site
    state.answers["GET /api/ready"] = (503, {})
    pauses: list[float] = []
    assert smoke.main([url, "--attempts", "4", "--delay", "5"], ENVIRON, sleep=pauses.append) == 1
    assert pauses == [5, 10, 20]
    assert state.requests.count("GET /") == 4
    assert capsys.readouterr().err.strip().splitlines()[-1] == "smoke: GET /api/ready: status 503"


def test_a_deploy_that_becomes_healthy_passes_on_a_later_attempt(site: tuple[Site, str]) -> None:
    state, url = site
    state.answers["GET /api/ready"] = (503, {})
    pauses: list[float] = []

    def recover(seconds: float) -> None:
        pauses.append(seconds)
        state.answers["GET /api/ready"] = (200, {})

    assert smoke.main([url], ENVIRON, sleep=recover) == 0
    assert pauses == [5]


def test_an_unreachable_site_fails_naming_the_check(capsys: pytest.CaptureFixture[str]) -> None:
    assert smoke.main(["http://127.0.0.1:9", "--attempts", "2"], ENVIRON, sleep=lambda _: None) == 1
    assert capsys.readouterr().err.strip().splitlines()[-1].startswith("smoke: GET /: unreachable")


def test_the_account_must_be_given(capsys: pytest.CaptureFixture[str]) -> None:
    assert smoke.main(["http://127.0.0.1:9"], {}) == 2
    assert "SMOKE_EMAIL and SMOKE_PASSWORD" in capsys.readouterr().err
