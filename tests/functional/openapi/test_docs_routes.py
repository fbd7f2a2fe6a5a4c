"""GET /api/openapi.json and GET /api/docs, as a browser reaches them through the gateway."""

from __future__ import annotations

import base64
import hashlib
import json
import re
from html.parser import HTMLParser

from tools import openapi


class _Page(HTMLParser):
    """The page's tags with their URL attributes, and the text of its inline scripts and styles."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []
        self.inline: dict[str, list[str]] = {"script": [], "style": []}
        self._open: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.urls += [value or "" for name, value in attrs if name in ("src", "href", "action", "srcset")]
        if tag in self.inline:
            self._open = tag
            self.inline[tag].append("")

    def handle_endtag(self, tag: str) -> None:
        self._open = None

    def handle_data(self, data: str) -> None:
        if self._open:
            self.inline[self._open][-1] += data


def _sha256(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


def test_the_document_is_served_as_committed(client):
    response = client.get("/api/openapi.json")

    assert response.status_code == 200
    assert response.header("Content-Type") == "application/json"
    assert response.content == openapi.DOCUMENT_PATH.read_bytes()
    assert json.loads(response.content)["info"]["title"] == "TaskForge API"


def test_the_document_is_compressed_for_clients_that_accept_it(client):
    response = client.get("/api/openapi.json", headers={"Accept-Encoding": "gzip"})

    assert response.status_code == 200
    assert response.header("Content-Encoding") == "gzip"
    assert response.header("Vary") == "Accept-Encoding"


def test_the_explorer_page_needs_nothing_from_elsewhere(client):
    response = client.get("/api/docs")

    assert response.status_code == 200
    assert response.header("Content-Type") == "text/html; charset=utf-8"
    page = _Page()
    page.feed(response.text)
    # No script, stylesheet, image or link to fetch: everything is inline.
    assert page.urls == []
    assert len(page.inline["script"]) == 2
    assert len(page.inline["style"]) == 1
    assert 'url: "/api/openapi.json"' in page.inline["script"][1]
    assert "validatorUrl: null" in page.inline["script"][1]


def test_the_explorer_page_allows_exactly_what_it_carries(client):
    response = client.get("/api/docs")
    page = _Page()
    page.feed(response.text)
    policy = dict(directive.split(" ", 1) for directive in response.header("Content-Security-Policy").split("; "))

    assert policy == {
        "default-src": "'none'",
        "script-src": " ".join(_sha256(script) for script in page.inline["script"]),
        "style-src": _sha256(page.inline["style"][0]),
        "img-src": "data:",
        "connect-src": "'self'",
        "base-uri": "'none'",
        "form-action": "'none'",
        "frame-ancestors": "'none'",
    }
    assert not re.search(r"https?:", response.header("Content-Security-Policy"))
    assert response.header("X-Content-Type-Options") == "nosniff"


def test_the_docs_routes_refuse_other_methods(client):
    for path in ("/api/openapi.json", "/api/docs"):
        response = client.post(path)

        assert response.status_code == 405
        assert response.header("Allow") == "GET"
