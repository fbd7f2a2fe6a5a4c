"""The local gateway's own paths: the built SPA's files."""

from __future__ import annotations

import io
from pathlib import Path
from urllib.parse import unquote_to_bytes

import pytest

from functions.devserver.gateway import Gateway
from tests.support.wsgi_client import WsgiClient

TOKEN = "the-stack-s-own-broker-token"
EVENT_TYPE = "dev.taskforge.task.created"


@pytest.fixture
def dist(tmp_path: Path) -> Path:
    (tmp_path / "assets").mkdir()
    (tmp_path / "index.html").write_text("<!doctype html><title>TaskForge</title>")
    (tmp_path / "assets" / "app-1234.js").write_text("console.log('app')")
    (tmp_path.parent / "secret.txt").write_text("outside web/dist")
    return tmp_path


def _static_client(dist: Path) -> WsgiClient:
    return WsgiClient(Gateway([], dist))


def _raw_get(dist: Path, raw_path: str, method: str = "GET") -> tuple[int, str, bytes]:
    """The request as a WSGI server hands it over: PATH_INFO holds the percent-decoded bytes as
    latin-1 text, whatever they are (WsgiClient would have made them valid UTF-8 first)."""
    environ = {
        "REQUEST_METHOD": method,
        "PATH_INFO": unquote_to_bytes(raw_path).decode("latin-1"),
        "RAW_URI": raw_path,
        "QUERY_STRING": "",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "SERVER_NAME": "test",
        "SERVER_PORT": "80",
        "wsgi.input": io.BytesIO(),
        "wsgi.url_scheme": "http",
    }
    captured: dict = {}

    def start_response(status, headers, exc_info=None):
        captured.update(status=int(status.split()[0]), headers=dict(headers))

    body = b"".join(Gateway([], dist)(environ, start_response))
    return captured["status"], captured["headers"].get("Content-Type", ""), body


def test_files_and_client_routes_are_served(dist):
    client = _static_client(dist)
    script = client.get("/assets/app-1234.js")
    assert script.status_code == 200
    assert script.header("Content-Type") == "text/javascript"
    assert "immutable" in script.header("Cache-Control")
    assert client.get("/tasks/42").content.startswith(b"<!doctype html>")
    assert client.get("/").content.startswith(b"<!doctype html>")
    assert client.get("/verify-email?token=abc").status_code == 200


def test_the_service_worker_is_never_cached_long_and_the_manifest_has_its_type(dist):
    (dist / "sw.js").write_text("self.addEventListener('fetch', () => {})")
    (dist / "manifest.webmanifest").write_text('{"name": "TaskForge"}')
    client = _static_client(dist)
    worker = client.get("/sw.js")
    assert worker.header("Content-Type") == "text/javascript"
    assert worker.header("Cache-Control") == "no-cache"
    manifest = client.get("/manifest.webmanifest")
    assert manifest.header("Content-Type") == "application/manifest+json"
    assert manifest.header("Cache-Control") == "no-cache"


@pytest.mark.parametrize(
    "path",
    [
        "/%00",
        "/assets/%00.js",
        "/index.html%00.js",
        "/%ff",
        "/assets/%ff%fe.js",
        "/%c0%af",  # an overlong "/"
        "/%c0%ae%c0%ae/secret.txt",  # overlong dots
        "/%e0%80%ae",  # a three-byte overlong "."
        "/%ed%a0%80",  # a UTF-16 surrogate
        "/..%2fsecret.txt",
        "/assets/..%2f..%2fsecret.txt",
        "/%2e%2e/secret.txt",
        "/a/%2e/index.html",
        "/..%5csecret.txt",
        "/assets%5c..%5c..%5csecret.txt",
        "/%0d%0aSet-Cookie:%20x=1",
        "/%7f",
    ],
)
def test_a_hostile_path_is_a_400_problem(dist, path):
    status, content_type, body = _raw_get(dist, path)
    assert status == 400, body
    assert content_type == "application/problem+json"
    assert b"outside web/dist" not in body


@pytest.mark.parametrize(
    "path",
    [
        "/" + "a" * 300,
        "/assets/" + "b" * 5000 + ".js",
        "/" + "/".join(["c" * 250] * 20),
        "/" + "é" * 200,  # 400 bytes in UTF-8: too long a name though 200 characters
    ],
)
def test_a_name_too_long_for_the_file_system_is_a_404_problem(dist, path):
    status, content_type, body = _raw_get(dist, path)
    assert status == 404, body
    assert content_type == "application/problem+json"


def test_head_of_a_hostile_path_is_refused_too(dist):
    assert _raw_get(dist, "/assets/%00.js", "HEAD")[0] == 400
