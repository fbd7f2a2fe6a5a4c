"""A small HTTP client for a WSGI application, so API tests run the whole request path
(gateway → runtime → event → handler → database) without a socket."""

from __future__ import annotations

import io
import json as jsonlib
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote, urlencode


@dataclass
class WsgiResponse:
    status_code: int
    headers: list[tuple[str, str]]
    content: bytes

    def header(self, name: str) -> str | None:
        values = [value for key, value in self.headers if key.lower() == name.lower()]
        return ", ".join(values) if values else None

    def header_values(self, name: str) -> list[str]:
        return [value for key, value in self.headers if key.lower() == name.lower()]

    def json(self) -> Any:
        return jsonlib.loads(self.content)

    @property
    def text(self) -> str:
        return self.content.decode()


@dataclass
class WsgiClient:
    app: Any
    default_headers: dict[str, str] = field(default_factory=dict)

    def request(
        self,
        method: str,
        path: str,
        json: Any = None,
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
        params: dict[str, Any] | None = None,
    ) -> WsgiResponse:
        if json is not None:
            body = jsonlib.dumps(json).encode()
        body = body or b""
        all_headers = {**self.default_headers, **(headers or {})}
        if json is not None:
            all_headers.setdefault("Content-Type", "application/json")
        raw_path, _, query = path.partition("?")
        if params:
            query = "&".join(filter(None, [query, urlencode(params, doseq=True)]))
        environ: dict[str, Any] = {
            "REQUEST_METHOD": method.upper(),
            "PATH_INFO": unquote(raw_path).encode().decode("latin-1"),
            "RAW_URI": raw_path + (f"?{query}" if query else ""),
            "QUERY_STRING": query,
            "SERVER_PROTOCOL": "HTTP/1.1",
            "SERVER_NAME": "testserver",
            "SERVER_PORT": "80",
            "REMOTE_ADDR": "127.0.0.1",
            "wsgi.input": io.BytesIO(body),
            "wsgi.url_scheme": "http",
            "CONTENT_LENGTH": str(len(body)),
            "HTTP_HOST": "testserver",
        }
        for name, value in all_headers.items():
            key = name.upper().replace("-", "_")
            if key in ("CONTENT_TYPE", "CONTENT_LENGTH"):
                environ[key] = value
            else:
                environ[f"HTTP_{key}"] = value
        captured: dict[str, Any] = {}

        def start_response(status: str, response_headers: list[tuple[str, str]], exc_info: Any = None) -> None:
            captured["status"] = int(status.split()[0])
            captured["headers"] = response_headers

        content = b"".join(self.app(environ, start_response))
        return WsgiResponse(captured["status"], captured["headers"], content)

    def get(self, path: str, **kwargs: Any) -> WsgiResponse:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, **kwargs: Any) -> WsgiResponse:
        return self.request("POST", path, **kwargs)

    def patch(self, path: str, **kwargs: Any) -> WsgiResponse:
        return self.request("PATCH", path, **kwargs)

    def put(self, path: str, **kwargs: Any) -> WsgiResponse:
        return self.request("PUT", path, **kwargs)

    def delete(self, path: str, **kwargs: Any) -> WsgiResponse:
        return self.request("DELETE", path, **kwargs)
