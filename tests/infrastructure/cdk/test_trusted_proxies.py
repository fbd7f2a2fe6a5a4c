"""The functions trust X-Forwarded-For entries from the VPC the stack builds: the
manifests' TRUSTED_PROXY_NETWORKS must cover it, or every client would look like one of
our own proxies (or the other way round, a client could pass for one)."""

from __future__ import annotations

import ipaddress
from dataclasses import replace

import pytest

from tests.infrastructure.cdk.conftest import ENVIRONMENTS, Synthesized
from tests.infrastructure.manifests import ENVIRONMENTS as RENDERED
from tests.infrastructure.manifests import render


@pytest.mark.parametrize("environment", ENVIRONMENTS)
def test_the_trusted_proxy_networks_are_the_stacks_vpc_and_the_loopback(
    synthesized: Synthesized, environment: str
) -> None:
    [vpc] = synthesized.resources(environment, "AWS::EC2::VPC").values()
    networks = {ipaddress.ip_network(cidr) for cidr in RENDERED[environment].trusted_proxy_networks.split(",")}

    assert networks == {
        ipaddress.ip_network(vpc["Properties"]["CidrBlock"]),
        ipaddress.ip_network("127.0.0.0/8"),
        ipaddress.ip_network("::1/128"),
    }


@pytest.mark.parametrize("environment", ENVIRONMENTS)
def test_the_vpc_and_the_trusted_networks_come_from_one_setting(synthesized: Synthesized, environment: str) -> None:
    settings = synthesized.stacks[environment].environment_settings
    [vpc] = synthesized.resources(environment, "AWS::EC2::VPC").values()
    assert vpc["Properties"]["CidrBlock"] == settings.vpc_cidr

    moved = render.for_settings(replace(settings, vpc_cidr="10.99.0.0/16"))

    assert moved.trusted_proxy_networks.split(",")[0] == "10.99.0.0/16"
