"""The Cluster Autoscaler: a pinned chart that discovers this cluster's node group, runs as
a ServiceAccount only it has, whose role resizes only groups tagged as this cluster's."""

from __future__ import annotations

import json
from typing import Any

import pytest

from cdk.components.autoscaler import (
    CHART_VERSION,
    CHARTS,
    IMAGE,
    IMAGE_TAG,
    NAMESPACE,
    READ_ACTIONS,
    SERVICE_ACCOUNT,
    WRITE_ACTIONS,
)
from cdk.components.cluster import KUBERNETES_VERSION
from tests.infrastructure.cdk.conftest import ENVIRONMENTS, Synthesized

ROLE_ARN = "ROLE_ARN"


def _text(value: Any, placeholder: str) -> str:
    """A template string, with every reference inside an Fn::Join replaced by `placeholder`."""
    if isinstance(value, str):
        return value
    return "".join(part if isinstance(part, str) else placeholder for part in value["Fn::Join"][1])


def _chart(synthesized: Synthesized, environment: str) -> dict[str, Any]:
    (chart,) = [
        resource["Properties"]
        for resource in synthesized.resources(environment, "Custom::AWSCDK-EKS-HelmChart").values()
        if resource["Properties"]["Chart"] == "cluster-autoscaler"
    ]
    return chart


def _values(synthesized: Synthesized, environment: str) -> dict[str, Any]:
    values: dict[str, Any] = json.loads(_text(_chart(synthesized, environment)["Values"], ROLE_ARN))
    return values


def _role(synthesized: Synthesized, environment: str) -> tuple[str, dict[str, Any]]:
    (found,) = [
        (key, role["Properties"])
        for key, role in synthesized.resources(environment, "AWS::IAM::Role").items()
        if any(policy["PolicyName"] == "Autoscaling" for policy in role["Properties"].get("Policies", []))
    ]
    return found


@pytest.mark.parametrize("environment", ENVIRONMENTS)
def test_the_official_chart_is_installed_at_a_pinned_version(synthesized: Synthesized, environment: str) -> None:
    chart = _chart(synthesized, environment)
    assert (chart["Repository"], chart["Version"], chart["Namespace"]) == (CHARTS, CHART_VERSION, NAMESPACE)
    assert CHARTS == "https://kubernetes.github.io/autoscaler"
    values = _values(synthesized, environment)
    assert values["image"] == {"repository": IMAGE, "tag": IMAGE_TAG}


def test_the_image_is_the_release_of_the_clusters_kubernetes_minor() -> None:
    minor = ".".join(IMAGE_TAG.removeprefix("v").split(".")[:2])
    assert minor == KUBERNETES_VERSION.version


@pytest.mark.parametrize("environment", ENVIRONMENTS)
def test_it_discovers_this_clusters_node_groups_in_its_region(synthesized: Synthesized, environment: str) -> None:
    values = _values(synthesized, environment)
    assert values["cloudProvider"] == "aws"
    assert values["autoDiscovery"] == {"clusterName": f"taskforge-{environment}"}
    assert values["awsRegion"] == synthesized.stacks[environment].environment_settings.region
    assert values["extraArgs"] == {
        "balance-similar-node-groups": True,
        "skip-nodes-with-system-pods": False,
        "skip-nodes-with-local-storage": False,
        "expander": "least-waste",
    }
    assert values["resources"]["requests"] == {"cpu": "100m", "memory": "300Mi"}


@pytest.mark.parametrize("environment", ENVIRONMENTS)
def test_its_service_account_names_its_own_role(synthesized: Synthesized, environment: str) -> None:
    account = _values(synthesized, environment)["rbac"]["serviceAccount"]
    assert account["create"] is True
    assert account["name"] == SERVICE_ACCOUNT
    assert account["annotations"] == {"eks.amazonaws.com/role-arn": ROLE_ARN}
    role_key, _ = _role(synthesized, environment)
    (reference,) = [
        part for part in _chart(synthesized, environment)["Values"]["Fn::Join"][1] if not isinstance(part, str)
    ]
    assert reference == {"Fn::GetAtt": [role_key, "Arn"]}


def test_production_runs_two_with_a_budget_staging_one(synthesized: Synthesized) -> None:
    production, staging = _values(synthesized, "production"), _values(synthesized, "staging")
    assert production["replicaCount"] == 2
    assert production["podDisruptionBudget"] == {"maxUnavailable": 1}
    # At one replica, maxUnavailable 1 still lets its node drain.
    assert staging["replicaCount"] == 1


@pytest.mark.parametrize("environment", ENVIRONMENTS)
def test_only_the_charts_service_account_may_assume_the_role(synthesized: Synthesized, environment: str) -> None:
    _, role = _role(synthesized, environment)
    (statement,) = role["AssumeRolePolicyDocument"]["Statement"]
    assert statement["Action"] == "sts:AssumeRoleWithWebIdentity"
    (condition, _) = statement["Condition"]["StringEquals"]["Fn::GetAtt"]
    value = synthesized.templates[environment]["Resources"][condition]["Properties"]["Value"]
    assert json.loads(_text(value, "ISSUER")) == {
        "ISSUER:sub": f"system:serviceaccount:{NAMESPACE}:{SERVICE_ACCOUNT}",
        "ISSUER:aud": "sts.amazonaws.com",
    }


@pytest.mark.parametrize("environment", ENVIRONMENTS)
def test_it_resizes_only_groups_tagged_as_this_clusters(synthesized: Synthesized, environment: str) -> None:
    _, role = _role(synthesized, environment)
    (policy,) = role["Policies"]
    reads, writes = policy["PolicyDocument"]["Statement"]
    assert (sorted(reads["Action"]), reads["Resource"]) == (sorted(READ_ACTIONS), "*")
    assert "Condition" not in reads
    assert not any(
        action.startswith(("autoscaling:Set", "autoscaling:Terminate", "autoscaling:Update"))
        for action in reads["Action"]
    )
    assert sorted(writes["Action"]) == sorted(WRITE_ACTIONS)
    assert writes["Condition"] == {
        "StringEquals": {f"aws:ResourceTag/k8s.io/cluster-autoscaler/taskforge-{environment}": "owned"}
    }
    # No other policy reaches the role.
    assert "ManagedPolicyArns" not in role
    policies = synthesized.resources(environment, "AWS::IAM::Policy").values()
    role_key, _ = _role(synthesized, environment)
    assert not [p for p in policies if {"Ref": role_key} in p["Properties"].get("Roles", [])]


def test_cdk_nag_finds_nothing_unacknowledged_in_the_autoscaler(synthesized: Synthesized) -> None:
    findings = [
        f"{violation['ruleName']} at {construct['constructPath']}"
        for plugin in (synthesized.report or {}).get("pluginReports", [])
        for violation in plugin["violations"]
        for construct in violation["violatingConstructs"]
        if "/Autoscaler/" in construct["constructPath"]
    ]
    assert findings == []


@pytest.mark.parametrize("environment", ENVIRONMENTS)
def test_its_wildcard_is_acknowledged_on_its_role_alone(synthesized: Synthesized, environment: str) -> None:
    stack = synthesized.stacks[environment].stack_name
    acknowledged = {
        path: rules for path, rules in synthesized.acknowledgements.items() if path.startswith(f"/{stack}/Autoscaler")
    }
    assert list(acknowledged) == [f"/{stack}/Autoscaler/Role"]
    assert "AwsSolutions::AwsSolutions-IAM5[Resource::*]" in acknowledged[f"/{stack}/Autoscaler/Role"]
