"""Which X-Forwarded-For entry is the client (auth.client_address), whichever proxies a
request passed: no I/O, every chain written out."""

from __future__ import annotations

import pytest

from functions.domain.auth.auth import client_address
from functions.platform.settings import Settings

VIEWER = "203.0.113.7"
CLOUDFRONT = "130.176.1.20"  # a CloudFront edge address, as the ALB appends it
ALB = "10.40.1.15"
INGRESS = "10.40.33.8"  # the Istio ingress gateway pod
LOCAL_GATEWAY = "10.40.40.2"  # knative-local-gateway
ACTIVATOR = "10.40.51.9"
PRODUCTION = Settings(trusted_proxy_networks=("10.40.0.0/16", "127.0.0.0/8", "::1/128"), trusted_proxy_hops=1)
LOCAL = Settings()


def chain(*entries: str) -> str:
    return ", ".join(entries)


@pytest.mark.parametrize(
    "forwarded",
    [
        chain(VIEWER, CLOUDFRONT, ALB, INGRESS, LOCAL_GATEWAY),  # queue-proxy appended the local gateway
        chain(VIEWER, CLOUDFRONT, ALB, INGRESS, LOCAL_GATEWAY, ACTIVATOR),  # through the activator
        chain(VIEWER, CLOUDFRONT, ALB, INGRESS, LOCAL_GATEWAY, ACTIVATOR, "127.0.0.6"),  # and a mesh sidecar
        chain("10.40.0.1", VIEWER, CLOUDFRONT, ALB, INGRESS),  # the viewer wrote an address of ours
        chain("198.51.100.1, unknown, 1.1.1.1", VIEWER, CLOUDFRONT, ALB, INGRESS),  # or anything else
    ],
    ids=["direct", "activator", "sidecar", "forged-internal", "forged-list"],
)
def test_in_production_the_viewer_is_found_whichever_proxies_were_in_the_path(forwarded):
    assert client_address(forwarded, PRODUCTION) == VIEWER


@pytest.mark.parametrize(
    ("forwarded", "expected"),
    [
        ("127.0.0.1", "127.0.0.1"),  # the gateway appended its peer
        (chain("203.0.113.9", "127.0.0.1"), "127.0.0.1"),  # whatever the client wrote first
        (chain("garbage", "192.0.2.4"), "192.0.2.4"),
        (None, None),  # nothing appended: no address, and no shared bucket
        ("", None),
        ("not-an-address", None),
    ],
    ids=["peer", "forged", "garbage-first", "absent", "empty", "garbage"],
)
def test_locally_the_address_the_gateway_appended_is_the_client(forwarded, expected):
    assert client_address(forwarded, LOCAL) == expected


@pytest.mark.parametrize(
    ("forwarded", "expected"),
    [
        (chain("2001:db8:1:2:aaaa::1", CLOUDFRONT, ALB), "2001:db8:1:2::/64"),  # one subscriber, one bucket
        (chain("::ffff:203.0.113.7", CLOUDFRONT, ALB), VIEWER),
        (chain("[2001:db8::5]:443", CLOUDFRONT, ALB), "2001:db8::/64"),
        (chain("203.0.113.7:50123", CLOUDFRONT, ALB), VIEWER),
        (chain(CLOUDFRONT, ALB), None),  # fewer entries than the proxies that must have written them
        (chain(ALB, INGRESS), ALB),  # from inside our own networks: the first of ours
    ],
    ids=["ipv6-64", "ipv4-mapped", "bracketed-port", "ipv4-port", "too-short", "internal"],
)
def test_addresses_are_normalised_and_short_chains_give_none(forwarded, expected):
    assert client_address(forwarded, PRODUCTION) == expected


def test_the_networks_setting_reads_a_comma_separated_list_and_refuses_nonsense():
    settings = Settings.from_env({"TRUSTED_PROXY_NETWORKS": "10.40.0.0/16, 127.0.0.1/8,::1", "TRUSTED_PROXY_HOPS": "1"})
    assert settings.trusted_proxy_networks == ("10.40.0.0/16", "127.0.0.0/8", "::1/128")
    with pytest.raises(ValueError, match="does not appear to be an IPv4 or IPv6 network"):
        Settings.from_env({"TRUSTED_PROXY_NETWORKS": "10.40.0.0/16,intranet"})
