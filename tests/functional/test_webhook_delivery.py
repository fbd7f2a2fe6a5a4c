"""Webhook delivery against a real HTTP server on this machine (allowed only with allow_private)."""

from __future__ import annotations

import datetime
import hashlib
import hmac
import json
import ssl
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from functions.platform import webhooks
from functions.platform.webhooks import WebhookError

SECRET = "receiver-shared-secret"


@dataclass
class Receiver:
    url: str
    # path -> (status, extra headers); unknown paths answer 204
    answers: dict[str, tuple[int, dict[str, str]]] = field(default_factory=dict)
    received: list[dict] = field(default_factory=list)
    release: threading.Event = field(default_factory=threading.Event)  # for the path that hangs
    certificate: Path | None = None  # https only


def _self_signed(directory: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 that no trust store knows."""
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(hours=1))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / "cert.pem", directory / "key.pem"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return cert_path, key_path


@pytest.fixture(params=["http"])
def receiver(request, tmp_path) -> Iterator[Receiver]:
    state = Receiver(url="")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            state.received.append({"path": self.path, "headers": dict(self.headers.items()), "body": body})
            if self.path == "/hang":
                state.release.wait(timeout=30)
            status, headers = state.answers.get(self.path, (204, {}))
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    if request.param == "https":
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        state.certificate, key = _self_signed(tmp_path)
        context.load_cert_chain(state.certificate, key)
        server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    state.url = f"{request.param}://127.0.0.1:{server.server_address[1]}"
    try:
        yield state
    finally:
        state.release.set()
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def test_the_receiver_gets_the_json_and_a_signature_it_can_verify(receiver):
    payload = {"type": "reminder", "task": {"id": "42", "title": "Zahnarzt 🦷"}}
    before = int(time.time())

    webhooks.deliver(f"{receiver.url}/hooks/taskforge?account=7", payload, SECRET, allow_private=True)

    [request] = receiver.received
    headers = {name.lower(): value for name, value in request["headers"].items()}
    assert request["path"] == "/hooks/taskforge?account=7"
    assert json.loads(request["body"]) == payload
    assert headers["content-type"] == "application/json"
    assert headers["user-agent"] == "TaskForge-Webhook/1"
    timestamp = headers["x-taskforge-timestamp"]
    assert before <= int(timestamp) <= int(time.time())
    expected = hmac.new(SECRET.encode(), timestamp.encode() + b"." + request["body"], hashlib.sha256).hexdigest()
    assert hmac.compare_digest(headers["x-taskforge-signature"], f"sha256={expected}")


def test_a_server_error_raises_a_retryable_webhook_error(receiver):
    receiver.answers["/broken"] = (500, {})

    with pytest.raises(WebhookError, match="500") as failed:
        webhooks.deliver(f"{receiver.url}/broken", {"a": 1}, SECRET, allow_private=True)

    assert failed.value.status == 500
    assert failed.value.retryable is True


def test_a_client_error_is_not_worth_retrying(receiver):
    receiver.answers["/gone"] = (410, {})
    with pytest.raises(WebhookError) as failed:
        webhooks.deliver(f"{receiver.url}/gone", {"a": 1}, SECRET, allow_private=True)
    assert (failed.value.status, failed.value.retryable) == (410, False)


def test_a_redirect_is_not_followed(receiver):
    receiver.answers["/moved"] = (307, {"Location": f"{receiver.url}/elsewhere"})

    with pytest.raises(WebhookError, match="307") as failed:
        webhooks.deliver(f"{receiver.url}/moved", {"a": 1}, SECRET, allow_private=True)

    assert failed.value.retryable is False
    assert [request["path"] for request in receiver.received] == ["/moved"]


def test_a_receiver_that_does_not_answer_in_time_raises(receiver):
    with pytest.raises(WebhookError, match="could not be delivered"):
        webhooks.deliver(f"{receiver.url}/hang", {"a": 1}, SECRET, timeout=0.3, allow_private=True)
    receiver.release.set()


def test_without_allow_private_nothing_reaches_a_local_server(receiver):
    with pytest.raises(WebhookError, match="refused"):
        webhooks.deliver(f"{receiver.url}/hooks", {"a": 1}, SECRET)
    assert receiver.received == []


def test_nothing_listening_raises_a_retryable_error():
    with ThreadingHTTPServer(("127.0.0.1", 0), BaseHTTPRequestHandler) as closed:
        port = closed.server_address[1]
    with pytest.raises(WebhookError, match="could not be delivered") as failed:
        webhooks.deliver(f"http://127.0.0.1:{port}/", {"a": 1}, SECRET, timeout=2, allow_private=True)
    assert failed.value.retryable is True


def test_a_non_ascii_path_is_sent_percent_encoded(receiver):
    webhooks.deliver(f"{receiver.url}/hooks/zoë?name=zoë&raw=a%20b", {"a": 1}, SECRET, allow_private=True)
    assert [request["path"] for request in receiver.received] == ["/hooks/zo%C3%AB?name=zo%C3%AB&raw=a%20b"]


@pytest.mark.parametrize("receiver", ["https"], indirect=True)
def test_https_verifies_the_receivers_certificate(receiver):
    with pytest.raises(WebhookError, match="CERTIFICATE_VERIFY_FAILED"):
        webhooks.deliver(f"{receiver.url}/hooks", {"a": 1}, SECRET, allow_private=True)
    assert receiver.received == []


@pytest.mark.parametrize("receiver", ["https"], indirect=True)
def test_https_delivers_to_a_receiver_with_a_trusted_certificate(receiver, monkeypatch):
    create_default_context = ssl.create_default_context
    monkeypatch.setattr(
        ssl, "create_default_context", lambda *args, **kwargs: create_default_context(cafile=str(receiver.certificate))
    )

    webhooks.deliver(f"{receiver.url}/hooks", {"a": 1}, SECRET, allow_private=True)

    [request] = receiver.received
    assert json.loads(request["body"]) == {"a": 1}


@pytest.mark.parametrize(
    ("url", "resolves_to"),
    [
        ("https://rebound.example.com/hook", "10.1.2.3"),
        ("https://metadata.example.com/", "169.254.169.254"),
        ("https://loop.example.com/", "::1"),
        ("https://10.1.2.3/", "10.1.2.3"),
    ],
)
def test_saving_an_internal_webhook_is_a_422_that_names_no_address(make_account, monkeypatch, url, resolves_to):
    import socket

    real = socket.getaddrinfo

    def getaddrinfo(host, port, *args, **kwargs):
        if host.endswith(".example.com"):
            family = socket.AF_INET6 if ":" in resolves_to else socket.AF_INET
            return [(family, socket.SOCK_STREAM, 6, "", (resolves_to, port))]
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    account = make_account()

    response = account.client.patch("/api/auth/me", json={"reminder_webhook_url": url})

    assert response.status_code == 422, response.text
    assert response.header("Content-Type") == "application/problem+json"
    assert response.json()["detail"] == webhooks.NOT_PUBLIC
    for internal in (resolves_to, "private", "loopback", "link-local"):
        assert internal not in response.text.replace(url, "")
