"""Outgoing webhooks: where they may go, how they are signed, how they are sent.

A webhook URL is chosen by a user, so the server must not become a way into its own
network (SSRF): the URL must be https, carry no credentials, and every address its
host resolves to must be globally routable. The check runs when the URL is saved and
again at every delivery, and the delivery connects to exactly the addresses that
passed, so a DNS answer that changes in between cannot redirect it. Redirects are
never followed.

Receivers verify a delivery with the user's secret:

    expected = "sha256=" + HMAC-SHA256(secret, f"{X-TaskForge-Timestamp}." + raw body)

and should refuse timestamps more than a few minutes old (replays).
"""

from __future__ import annotations

import hashlib
import hmac
import http.client
import ipaddress
import json
import logging
import secrets
import socket
import ssl
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import SplitResult, quote, urlsplit

from functions.platform.errors import Unprocessable

logger = logging.getLogger(__name__)

USER_AGENT = "TaskForge-Webhook/1"
SIGNATURE_HEADER = "X-TaskForge-Signature"
TIMESTAMP_HEADER = "X-TaskForge-Timestamp"
MAX_URL_LENGTH = 2048
_URL_SAFE = "/?:@!$&'()*+,;=%-._~"
_RESPONSE_READ_LIMIT = 64 * 1024  # the receiver's answer is not used; read a little, then close
# One answer for every refused address: which address a name resolved to, and what kind of
# internal address it is, would map the network behind the server for whoever asks.
NOT_PUBLIC = "the webhook host must resolve only to public internet addresses"


def _not_public(subject: str) -> str:
    return NOT_PUBLIC.replace("webhook", subject, 1)


IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

# IPv6 prefixes that carry an IPv4 address in their last 32 bits (NAT64, RFC 6052 / 8215):
# a gateway would forward to that IPv4 address, so it is the one to judge.
_NAT64 = (ipaddress.IPv6Network("64:ff9b::/96"), ipaddress.IPv6Network("64:ff9b:1::/48"))


class WebhookError(Exception):
    """A delivery that did not succeed. `retryable` is false when trying again cannot help
    (the URL is refused, or the receiver answered with a client error or a redirect)."""

    def __init__(self, detail: str, status: int | None = None, retryable: bool = True) -> None:
        super().__init__(detail)
        self.detail = detail
        self.status = status
        self.retryable = retryable


@dataclass(frozen=True)
class _Target:
    parts: SplitResult
    host: str
    port: int
    addresses: tuple[str, ...]  # every one of them allowed


def validate_url(url: str, allow_private: bool, subject: str = "webhook") -> str:
    """The URL, when a webhook (or a Web Push message: `subject`) may be sent to it;
    Unprocessable with the reason otherwise.

    Resolves the host (DNS): call it outside a database transaction.
    """
    _resolve(url, allow_private, subject)
    return url


def new_secret() -> str:
    return secrets.token_urlsafe(32)


def sign(body: bytes, secret: str, timestamp: int) -> str:
    """The X-TaskForge-Signature value: "sha256=" and the hex HMAC-SHA256 of "<timestamp>." + body."""
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def deliver(url: str, payload: dict[str, Any], secret: str, timeout: float = 5.0, allow_private: bool = False) -> None:
    """POSTs `payload` as signed JSON; WebhookError unless the receiver answers 2xx.

    The URL is checked again first (its DNS may have changed since it was saved).
    """
    body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
    timestamp = int(time.time())
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        TIMESTAMP_HEADER: str(timestamp),
        SIGNATURE_HEADER: sign(body, secret, timestamp),
    }
    status = post(url, body, headers, timeout=timeout, allow_private=allow_private)
    if not 200 <= status < 300:
        retryable = status >= 500 or status in (408, 429)
        raise WebhookError(f"the webhook receiver answered {status}", status=status, retryable=retryable)


def post(
    url: str,
    body: bytes,
    headers: dict[str, str],
    timeout: float = 5.0,
    allow_private: bool = False,
    subject: str = "webhook",
) -> int:
    """POSTs `body` to a user-chosen URL, checked again and connected to only the addresses
    that passed; the receiver's status. WebhookError when it could not be delivered at all."""
    try:
        target = _resolve(url, allow_private, subject)
    except Unprocessable as refused:
        raise WebhookError(f"the {subject} URL is refused: {refused.detail}", retryable=False) from None
    # Non-ASCII in the path or query is sent percent-encoded; existing escapes stay as they are.
    path = quote(target.parts.path or "/", safe=_URL_SAFE)
    if target.parts.query:
        path = f"{path}?{quote(target.parts.query, safe=_URL_SAFE)}"
    connection: http.client.HTTPConnection
    if target.parts.scheme == "https":
        connection = _PinnedHTTPSConnection(target.host, target.port, target.addresses, timeout)
    else:
        connection = _PinnedHTTPConnection(target.host, target.port, target.addresses, timeout)
    try:
        connection.request("POST", path, body=body, headers=headers)
        response = connection.getresponse()
        response.read(_RESPONSE_READ_LIMIT)
        return response.status
    except (OSError, http.client.HTTPException) as exc:
        raise WebhookError(f"the {subject} could not be delivered: {type(exc).__name__}: {exc}") from None
    finally:
        connection.close()


def _resolve(url: str, allow_private: bool, subject: str = "webhook") -> _Target:
    if len(url) > MAX_URL_LENGTH:
        raise Unprocessable(f"the {subject} URL is longer than {MAX_URL_LENGTH} characters")
    if any(char.isspace() or ord(char) < 0x20 or ord(char) == 0x7F for char in url):
        raise Unprocessable(f"the {subject} URL must not contain spaces or control characters")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise Unprocessable(f"the {subject} URL is not valid: {exc}") from None
    allowed_schemes = ("https", "http") if allow_private else ("https",)
    if parts.scheme.lower() not in allowed_schemes:
        raise Unprocessable(f"the {subject} URL must start with https://")
    if "@" in parts.netloc:
        raise Unprocessable(f"the {subject} URL must not contain a user name or password")
    host = parts.hostname
    if not host:
        raise Unprocessable(f"the {subject} URL has no host")
    if port == 0:
        raise Unprocessable(f"the {subject} URL's port must be from 1 to 65535")
    try:
        ascii_host = host.encode("idna").decode("ascii")
    except UnicodeError:
        raise Unprocessable(f"the {subject} host {host!r} is not a valid host name") from None
    scheme = parts.scheme.lower()
    port = port or (443 if scheme == "https" else 80)
    try:
        answers = socket.getaddrinfo(ascii_host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        raise Unprocessable(f"the {subject} host {host!r} does not resolve") from None
    addresses: list[str] = []
    for _family, _type, _proto, _name, sockaddr in answers:
        text = str(sockaddr[0]).split("%", 1)[0]  # drop an IPv6 zone index
        try:
            address = ipaddress.ip_address(text)
        except ValueError:
            logger.warning("%s host %r refused: it resolves to %r, not an IP address", subject, host, text)
            raise Unprocessable(_not_public(subject)) from None
        if not allow_private:
            reason = _not_global(address)
            if reason:
                # The detail is for operators only; the caller gets the one generic answer.
                logger.warning("%s host %r refused: it resolves to %s, %s", subject, host, address, reason)
                raise Unprocessable(_not_public(subject))
        if text not in addresses:
            addresses.append(text)
    if not addresses:
        raise Unprocessable(f"the {subject} host {host!r} does not resolve")
    return _Target(parts._replace(scheme=scheme), ascii_host, port, tuple(addresses))


def _not_global(address: IPAddress) -> str | None:
    """Why a webhook may not go to `address`, or None when it is a public address."""
    if isinstance(address, ipaddress.IPv6Address):
        embedded = address.ipv4_mapped or address.sixtofour
        if embedded is None and address.teredo is not None:
            embedded = address.teredo[1]
        if embedded is None and any(address in network for network in _NAT64):
            embedded = ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
        if embedded is not None:
            reason = _not_global(embedded)
            return f"which embeds {embedded}, {reason}" if reason else None
    checks = (
        (address.is_unspecified, "an unspecified address"),
        (address.is_loopback, "a loopback address"),
        (address.is_link_local, "a link-local address (cloud metadata lives there)"),
        (address.is_multicast, "a multicast address"),
        (address.is_reserved, "a reserved address"),
        (address.is_private, "a private network address"),
        (not address.is_global, "not a public address"),
    )
    return next((reason for failed, reason in checks if failed), None)


def _connect(addresses: tuple[str, ...], port: int, timeout: float | None) -> socket.socket:
    """A connection to the first of the checked addresses that answers; no new DNS lookup."""
    error: OSError | None = None
    for address in addresses:
        try:
            return socket.create_connection((address, port), timeout=timeout)
        except OSError as exc:
            error = exc
    assert error is not None
    raise error


class _PinnedHTTPConnection(http.client.HTTPConnection):
    def __init__(self, host: str, port: int, addresses: tuple[str, ...], timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self._addresses = addresses

    def connect(self) -> None:
        self.sock = _connect(self._addresses, self.port, self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, host: str, port: int, addresses: tuple[str, ...], timeout: float) -> None:
        self._tls = ssl.create_default_context()
        super().__init__(host, port, timeout=timeout, context=self._tls)
        self._addresses = addresses

    def connect(self) -> None:
        # Certificate and host name checked against the URL's host, not the address.
        raw = _connect(self._addresses, self.port, self.timeout)
        try:
            self.sock = self._tls.wrap_socket(raw, server_hostname=self.host)
        except BaseException:
            raw.close()
            raise
