"""A first deploy with no hand steps: gateway endpoints on the nodes' route tables, the
database role made by the migration path, DNS records when a zone is given, the SPA
uploaded with an invalidation, the repository in a stack of its own."""

from __future__ import annotations

from typing import Any

import pytest

from tests.infrastructure.cdk.conftest import ENVIRONMENTS, Synthesized


def _private_route_tables(synthesized: Synthesized, environment: str) -> list[dict[str, Any]]:
    return [{"Ref": key} for key in synthesized.resources(environment, "AWS::EC2::RouteTable")
            if "privateSubnet" in key]


@pytest.mark.parametrize("environment", ENVIRONMENTS)
@pytest.mark.parametrize("service", ["s3", "dynamodb"])
def test_s3_and_dynamodb_are_reached_through_gateway_endpoints(synthesized: Synthesized, environment: str,
                                                               service: str) -> None:
    endpoints = [endpoint["Properties"] for endpoint in synthesized.resources(environment, "AWS::EC2::VPCEndpoint")
                 .values() if endpoint["Properties"]["ServiceName"]["Fn::Join"][1][-1] == f".{service}"]
    assert len(endpoints) == 1
    (endpoint,) = endpoints
    assert endpoint["VpcEndpointType"] == "Gateway"
    private = _private_route_tables(synthesized, environment)
    assert private
    assert sorted(endpoint["RouteTableIds"], key=str) == sorted(private, key=str)


@pytest.mark.parametrize("environment", ENVIRONMENTS)
def test_no_interface_endpoint_is_billed_by_the_hour(synthesized: Synthesized, environment: str) -> None:
    kinds = {endpoint["Properties"].get("VpcEndpointType", "Gateway")
             for endpoint in synthesized.resources(environment, "AWS::EC2::VPCEndpoint").values()}
    assert kinds == {"Gateway"}
