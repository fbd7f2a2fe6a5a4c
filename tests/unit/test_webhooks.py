"""Webhook URLs, signatures and the refusal to deliver inside the network, without any I/O:
name resolution is a table and opening a connection fails the test."""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import re
import socket

import pytest

from functions.platform import webhooks
from functions.platform.errors import Unprocessable
from functions.platform.webhooks import WebhookError

PUBLIC = "93.184.215.14"
PUBLIC_V6 = "2606:2800:21f:cb07:6820:80da:af6b:8b2c"


class FakeDns:
    """Names resolve from `table` (a list of addresses each); IP literals to themselves."""

    def __init__(self) -> None:
        self.table: dict[str, list[str]] = {"hooks.example.com": [PUBLIC], "v6.example.com": [PUBLIC_V6]}
        self.lookups: list[str] = []

    def getaddrinfo(self, host, port, *args, **kwargs):
        self.lookups.append(host)
        try:
            addresses = [str(ipaddress.ip_address(host))]
        except ValueError:
            if host not in self.table:
                raise socket.gaierror(socket.EAI_NONAME, "Name or service not known") from None
            addresses = self.table[host]
        return [
            (socket.AF_INET6 if ":" in address else socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port))
            for address in addresses
        ]


@pytest.fixture
def dns(monkeypatch) -> FakeDns:
    """Name resolution from a table; opening any connection fails the test."""
    fake = FakeDns()

    def no_connections(*args, **kwargs):
        raise AssertionError(f"a connection was opened: {args}")

    monkeypatch.setattr(socket, "getaddrinfo", fake.getaddrinfo)
    monkeypatch.setattr(socket, "create_connection", no_connections)
    return fake


def test_sign_is_hmac_sha256_of_the_timestamp_a_dot_and_the_body():
    body = b'{"task":"Buy milk"}'
    expected = hmac.new(b"s3cret", b'1700000000.{"task":"Buy milk"}', hashlib.sha256).hexdigest()

    assert webhooks.sign(body, "s3cret", 1700000000) == f"sha256={expected}"
    assert webhooks.sign(body, "s3cret", 1700000001) != f"sha256={expected}"
    assert webhooks.sign(body, "other", 1700000000) != f"sha256={expected}"
    assert webhooks.sign(body + b" ", "s3cret", 1700000000) != f"sha256={expected}"


def test_new_secrets_are_long_and_never_repeat():
    made = {webhooks.new_secret() for _ in range(100)}
    assert len(made) == 100
    assert all(len(secret) >= 40 for secret in made)


@pytest.mark.parametrize(
    "url",
    [
        "https://hooks.example.com/taskforge",
        "https://hooks.example.com:8443/taskforge?user=1",
        f"https://{PUBLIC}/",
        f"https://[{PUBLIC_V6}]/hook",
        "https://v6.example.com/",
        "HTTPS://Hooks.Example.com/",
    ],
)
def test_public_https_urls_are_accepted(dns, url):
    assert webhooks.validate_url(url, allow_private=False) == url


@pytest.mark.parametrize(
    ("url", "address", "reason"),
    [
        ("https://127.0.0.1/", "127.0.0.1", "loopback"),
        ("https://127.1.2.3/", "127.1.2.3", "loopback"),
        ("https://10.0.0.1/", "10.0.0.1", "private"),
        ("https://172.16.5.4/", "172.16.5.4", "private"),
        ("https://192.168.0.1/", "192.168.0.1", "private"),
        ("https://100.64.0.1/", "100.64.0.1", "not a public address"),
        ("https://0.0.0.0/", "0.0.0.0", "unspecified"),
        ("https://169.254.169.254/latest/meta-data/", "169.254.169.254", "link-local"),
        ("https://224.0.0.251/", "224.0.0.251", "multicast"),
        ("https://240.0.0.1/", "240.0.0.1", "reserved"),
        ("https://255.255.255.255/", "255.255.255.255", "reserved"),
        ("https://[::1]/", "::1", "loopback"),
        ("https://[::]/", "::", "unspecified"),
        ("https://[fe80::1]/", "fe80::1", "link-local"),
        ("https://[fd12:3456::1]/", "fd12:3456::1", "private"),
        ("https://[ff02::1]/", "ff02::1", "multicast"),
        ("https://[::ffff:127.0.0.1]/", "::ffff:127.0.0.1", "embeds 127.0.0.1"),
        ("https://[::ffff:10.0.0.1]/", "::ffff:10.0.0.1", "embeds 10.0.0.1"),
        ("https://[::ffff:169.254.169.254]/", "::ffff:169.254.169.254", "embeds 169.254.169.254"),
        ("https://[2002:7f00:1::]/", "2002:7f00:1::", "embeds 127.0.0.1"),  # 6to4
        ("https://[64:ff9b::a9fe:a9fe]/", "64:ff9b::a9fe:a9fe", "embeds 169.254.169.254"),  # NAT64
        ("https://[2001:db8::1]/", "2001:db8::1", "private"),  # documentation
    ],
)
def test_internal_addresses_are_refused_with_one_answer_and_logged_in_detail(dns, caplog, url, address, reason):
    with caplog.at_level("WARNING", logger="functions.platform.webhooks"), pytest.raises(Unprocessable) as refused:
        webhooks.validate_url(url, allow_private=False)

    # The caller learns neither the address nor what kind of internal address it is ...
    assert refused.value.detail == webhooks.NOT_PUBLIC
    # ... operators do.
    logged = " ".join(record.getMessage() for record in caplog.records)
    assert address in logged
    assert reason in logged


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://hooks.example.com/", "https://"),
        ("ftp://hooks.example.com/", "https://"),
        ("hooks.example.com/path", "https://"),
        ("https://nowhere.invalid/", "does not resolve"),
        ("https://user:pass@hooks.example.com/", "user name or password"),
        ("https://user@hooks.example.com/", "user name or password"),
        ("https://:pass@hooks.example.com/", "user name or password"),
        ("https://hooks.example.com:0/", "port"),
        ("https://hooks.example.com:70000/", "not valid"),
        ("https://[::1/", "not valid"),
        ("https:///path", "no host"),
        ("https://hooks.example.com/a b", "spaces"),
        ("https://hooks.example.com/\r\nX-Injected: 1", "control"),
        ("https://hooks.example.com/" + "a" * 2048, "longer than"),
    ],
)
def test_urls_that_are_not_usable_webhooks_are_refused_with_the_reason(dns, url, reason):
    with pytest.raises(Unprocessable, match=re.escape(reason)):
        webhooks.validate_url(url, allow_private=False)


@pytest.mark.parametrize("answers", [["10.1.2.3"], [PUBLIC, "10.1.2.3"], ["10.1.2.3", PUBLIC], ["fd00::1:2:3"]])
def test_a_name_that_resolves_inside_the_network_is_refused_without_saying_where(dns, answers):
    dns.table["split.example.com"] = answers
    with pytest.raises(Unprocessable) as refused:
        webhooks.validate_url("https://split.example.com/", allow_private=False)

    assert refused.value.detail == webhooks.NOT_PUBLIC
    for address in answers:
        assert address not in refused.value.detail
    assert "private" not in refused.value.detail


def test_private_networks_and_plain_http_are_allowed_only_when_asked_for(dns):
    for url in ("http://127.0.0.1:8080/hook", "https://10.0.0.1/", "http://[::1]/"):
        assert webhooks.validate_url(url, allow_private=True) == url
    with pytest.raises(Unprocessable, match="user name"):
        webhooks.validate_url("http://user@127.0.0.1/", allow_private=True)
    with pytest.raises(Unprocessable, match="https://"):
        webhooks.validate_url("file:///etc/passwd", allow_private=True)


def test_deliver_refuses_a_private_address_before_connecting(dns):
    with pytest.raises(WebhookError, match="refused") as refused:
        webhooks.deliver("https://169.254.169.254/latest", {"a": 1}, "secret")
    assert refused.value.retryable is False


def test_deliver_checks_the_name_again_when_sending(dns):
    # Given a URL that was public when it was saved
    webhooks.validate_url("https://hooks.example.com/", allow_private=False)
    # When its name now points inside the network
    dns.table["hooks.example.com"] = ["127.0.0.1"]
    # Then nothing is sent, and the error (kept with the reminder) names no address
    with pytest.raises(WebhookError, match="refused") as refused:
        webhooks.deliver("https://hooks.example.com/", {"a": 1}, "secret")
    assert refused.value.retryable is False
    assert "127.0.0.1" not in refused.value.detail
    assert webhooks.NOT_PUBLIC in refused.value.detail


def test_deliver_connects_to_the_address_it_checked_without_resolving_again(dns, monkeypatch):
    connected: list[tuple[str, int]] = []

    def refuse(address, timeout=None, *args, **kwargs):
        connected.append(address)
        raise ConnectionRefusedError("refused")

    monkeypatch.setattr(socket, "create_connection", refuse)
    with pytest.raises(WebhookError, match="could not be delivered") as failed:
        webhooks.deliver("https://hooks.example.com:8443/hook", {"a": 1}, "secret", timeout=1)

    assert failed.value.retryable is True
    assert connected == [(PUBLIC, 8443)]
    assert dns.lookups == ["hooks.example.com"]
