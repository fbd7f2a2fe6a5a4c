"""The local stack's mailbox: every message the stack sent, newest first, at GET /__dev/mail.

The mailer keeps a copy of each message as an .eml file (mailer.keep_copies_in, which
`make dev` points at MAIL_DIRECTORY), named to sort in the order sent. This page reads
them: an HTML page to follow a verification, invitation or password link from, and
`?format=json` for scripts and browser tests. It exists only in the local gateway: no
catalog function serves it and no manifest routes to it.

Subjects and bodies are chosen in part by users (a workspace's name, a display name), so
the page escapes every one of them and runs nothing (its Content-Security-Policy allows
no script); only http(s) links become links. The messages hold live credentials, so the
page answers only requests from this machine (a loopback peer).
"""

from __future__ import annotations

import email
import email.policy
import html
import ipaddress
import json
import re
from collections.abc import Iterable
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import parsedate_to_datetime
from http import HTTPStatus
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

from functions.runtime.app import StartResponse
from functions.runtime.http_results import HttpResponse
from functions.runtime.problem import SECURITY_HEADERS, problem

MAIL_PATH = "/__dev/mail"
_LINK = re.compile(r"https?://[^\s<>\"']+")
# The page's own style; nothing else may load or run.
_PAGE_POLICY = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; form-action 'none'"
_STYLE = (
    "body{font:15px/1.45 system-ui,sans-serif;margin:2rem auto;max-width:60rem;padding:0 1rem}"
    "article{border:1px solid #ccc;border-radius:6px;margin:1rem 0;padding:.5rem 1rem}"
    "h2{font-size:1.05rem;margin:.3rem 0}dl{display:grid;grid-template-columns:auto 1fr;gap:0 1rem;margin:0}"
    "dt{color:#555}dd{margin:0}pre{white-space:pre-wrap;word-break:break-word;background:#f6f6f6;padding:.6rem}"
)


def messages(directory: Path) -> list[dict[str, Any]]:
    """Every message kept in `directory`, newest first: to, subject, text, html (None without an
    HTML part) and sent_at (ISO 8601)."""
    items = []
    # The mailer names each copy after the time it was sent, in nanoseconds: the names sort in order.
    for path in sorted(directory.glob("*.eml"), key=lambda path: path.name, reverse=True):
        try:
            raw = path.read_bytes()
        except OSError:  # removed while we looked
            continue
        message = email.message_from_bytes(raw, policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        items.append(
            {
                "to": str(message.get("To", "")),
                "subject": str(message.get("Subject", "")),
                "text": _part(message, "plain"),
                "html": _part(message, "html"),
                "sent_at": _sent_at(message, path).isoformat(),
            }
        )
    return items


def serve(directory: Path, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
    """GET /__dev/mail[?format=json] for a loopback peer."""
    method = environ.get("REQUEST_METHOD", "GET").upper()
    if method not in ("GET", "HEAD"):
        return _answer(start_response, problem(405, f"{method} is not allowed here", headers=[("Allow", "GET, HEAD")]))
    if not _loopback(environ.get("REMOTE_ADDR")):
        return _answer(start_response, problem(403, "the local mailbox answers only requests from this machine"))
    items = messages(directory) if directory.is_dir() else []
    if parse_qs(environ.get("QUERY_STRING", "")).get("format") == ["json"]:
        body = json.dumps({"items": items}).encode()
        headers = [("Content-Type", "application/json"), *SECURITY_HEADERS.items()]
    else:
        body = page(items, directory).encode()
        headers = [
            ("Content-Type", "text/html; charset=utf-8"),
            *{**SECURITY_HEADERS, "Content-Security-Policy": _PAGE_POLICY}.items(),
        ]
    start_response("200 OK", [*headers, ("Content-Length", str(len(body)))])
    return [b""] if method == "HEAD" else [body]


def page(items: list[dict[str, Any]], directory: Path) -> str:
    """The HTML page: every value escaped; only http(s) links become links."""
    articles = []
    for item in items:
        html_part = (
            ""
            if item["html"] is None
            else f"<details><summary>HTML part (source)</summary><pre>{html.escape(item['html'])}</pre></details>"
        )
        articles.append(
            "<article>"
            f"<h2>{html.escape(item['subject']) or '(no subject)'}</h2>"
            f"<dl><dt>to</dt><dd>{html.escape(item['to'])}</dd>"
            f"<dt>sent</dt><dd><time>{html.escape(item['sent_at'])}</time></dd></dl>"
            f"<pre>{_linked(item['text'] or '')}</pre>{html_part}"
            "</article>"
        )
    listing = "".join(articles) or "<p>No e-mail yet. Whatever the stack sends shows up here.</p>"
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="referrer" content="no-referrer">'
        f"<title>Local mail ({len(items)})</title><style>{_STYLE}</style></head><body>"
        f"<h1>Local mail</h1><p>{len(items)} message(s) the stack sent, newest first, kept in "
        f"<code>{html.escape(str(directory))}</code>. As JSON: "
        f'<a href="{MAIL_PATH}?format=json">{MAIL_PATH}?format=json</a>.</p>'
        f"{listing}</body></html>"
    )


def _linked(text: str) -> str:
    out, last = [], 0
    for match in _LINK.finditer(text):
        out.append(html.escape(text[last : match.start()]))
        url = html.escape(match.group(0), quote=True)
        out.append(f'<a href="{url}" rel="noreferrer">{url}</a>')
        last = match.end()
    out.append(html.escape(text[last:]))
    return "".join(out)


def _part(message: EmailMessage, subtype: str) -> str | None:
    part = message.get_body(preferencelist=(subtype,))
    if part is None or part.get_content_subtype() != subtype:
        return None
    content = part.get_content()
    return content if isinstance(content, str) else None


def _sent_at(message: EmailMessage, path: Path) -> datetime:
    try:
        if message.get("Date"):
            return parsedate_to_datetime(str(message["Date"])).astimezone(UTC)
    except (TypeError, ValueError):
        pass
    stamp = path.name.split("-", 1)[0]  # older copies carry no Date: their name says when
    return datetime.fromtimestamp(int(stamp) / 1e9 if stamp.isdigit() else 0, tz=UTC)


def _loopback(address: str | None) -> bool:
    try:
        peer = ipaddress.ip_address((address or "").split("%", 1)[0])
    except ValueError:
        return False
    if isinstance(peer, ipaddress.IPv6Address) and peer.ipv4_mapped is not None:
        peer = peer.ipv4_mapped
    return peer.is_loopback


def _answer(start_response: StartResponse, response: HttpResponse) -> list[bytes]:
    phrase = HTTPStatus(response.status).phrase
    start_response(f"{response.status} {phrase}", [*response.headers, ("Content-Length", str(len(response.body)))])
    return [response.body]
