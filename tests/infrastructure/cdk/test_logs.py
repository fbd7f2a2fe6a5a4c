"""Log shipping and retention: every log group the stacks create keeps its logs for a set
time, the control plane's and Container Insights' groups exist before EKS or the add-on
would make them, the functions' EMF lines are shipped as EMF, and the dispatcher's
heartbeat alarms when it goes silent."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from cdk.components.addons import (
    CLOUDWATCH_AGENT_POLICY,
    CLOUDWATCH_NAMESPACE,
    CLOUDWATCH_SERVICE_ACCOUNT,
    CONTAINER_INSIGHTS_GROUPS,
    METRICS_NAMESPACE,
)
from cdk.components.observability import NAMESPACE
from tests.infrastructure.cdk.conftest import ENVIRONMENTS, Synthesized

ADDON = "amazon-cloudwatch-observability"


def _addons(synthesized: Synthesized, environment: str) -> dict[str, dict[str, Any]]:
    return {
        props["Properties"]["AddonName"]: {"id": key, **props}
        for key, props in synthesized.resources(environment, "AWS::EKS::Addon").items()
    }


def _group_name(group: dict[str, Any]) -> str:
    """A group's name with the cluster's Ref written as CLUSTER."""
    name = group["Properties"].get("LogGroupName", "")
    if isinstance(name, str):
        return name
    return "".join(part if isinstance(part, str) else "CLUSTER" for part in name["Fn::Join"][1])


def _depends_on(resource: dict[str, Any]) -> set[str]:
    depends = resource.get("DependsOn", [])
    return {depends} if isinstance(depends, str) else set(depends)


@pytest.mark.parametrize("environment", ENVIRONMENTS)
def test_every_log_group_has_a_retention(synthesized: Synthesized, environment: str) -> None:
    groups = synthesized.resources(environment, "AWS::Logs::LogGroup")
    assert groups
    assert {key for key, group in groups.items() if not group["Properties"].get("RetentionInDays")} == set()


@pytest.mark.parametrize("environment", ENVIRONMENTS)
def test_the_control_plane_group_exists_before_the_cluster(synthesized: Synthesized, environment: str) -> None:
    groups = synthesized.resources(environment, "AWS::Logs::LogGroup")
    [cluster] = synthesized.resources(environment, "AWS::EKS::Cluster").values()
    [group_id] = [
        key
        for key, group in groups.items()
        if _group_name(group) == f"/aws/eks/{cluster['Properties']['Name']}/cluster"
    ]
    assert group_id in _depends_on(cluster)
    assert cluster["Properties"]["Logging"]["ClusterLogging"]["EnabledTypes"]


@pytest.mark.parametrize("environment", ENVIRONMENTS)
def test_container_insights_groups_exist_before_the_add_on(synthesized: Synthesized, environment: str) -> None:
    groups = synthesized.resources(environment, "AWS::Logs::LogGroup")
    made = {_group_name(group): key for key, group in groups.items()}
    addon = _addons(synthesized, environment)[ADDON]
    for kind in CONTAINER_INSIGHTS_GROUPS:
        assert made[f"/aws/containerinsights/CLUSTER/{kind}"] in _depends_on(addon)
    application = groups[made["/aws/containerinsights/CLUSTER/application"]]
    assert application["DeletionPolicy"] == ("Retain" if environment == "production" else "Delete")


@pytest.mark.parametrize("environment", ENVIRONMENTS)
def test_cloudwatch_observability_is_pinned_with_container_logs_on(synthesized: Synthesized, environment: str) -> None:
    addon = _addons(synthesized, environment)[ADDON]["Properties"]
    assert re.fullmatch(r"v\d+\.\d+\.\d+-eksbuild\.\d+", addon["AddonVersion"])
    assert "ServiceAccountRoleArn" in addon
    configuration = json.loads(addon["ConfigurationValues"])
    assert configuration["containerLogs"]["enabled"] is True


@pytest.mark.parametrize("environment", ENVIRONMENTS)
def test_the_functions_emf_lines_are_sent_as_emf(synthesized: Synthesized, environment: str) -> None:
    addon = _addons(synthesized, environment)[ADDON]["Properties"]
    files = json.loads(addon["ConfigurationValues"])["containerLogs"]["fluentBit"]["config"]["extraFiles"]
    # The chart includes its files in name order: ours after the kubernetes filter's.
    [(name, config)] = files.items()
    assert name > "application-log.conf"
    assert METRICS_NAMESPACE == NAMESPACE
    sections = [
        dict(re.split(r"\s+", line.strip(), maxsplit=1) for line in section.splitlines()[1:] if line.strip())
        for section in config.split("\n\n")
    ]
    rewrite, lift, _, output = sections
    assert rewrite["Name"] == "rewrite_tag"
    assert rewrite["Rule"].split()[:3] == [
        "$log_processed['_aws']['CloudWatchMetrics'][0]['Namespace']",
        f"^{NAMESPACE}$",
        "emf.$TAG",
    ]
    assert (lift["Operation"], lift["Nested_under"]) == ("lift", "log_processed")
    assert output["Match"] == "emf.*"
    assert output["log_format"] == "json/emf"
    assert output["log_group_name"] == "/aws/containerinsights/${CLUSTER_NAME}/application"


@pytest.mark.parametrize("environment", ENVIRONMENTS)
def test_only_the_cloudwatch_agent_may_assume_its_role(synthesized: Synthesized, environment: str) -> None:
    roles = synthesized.resources(environment, "AWS::IAM::Role")
    [role] = [
        role
        for role in roles.values()
        if CLOUDWATCH_AGENT_POLICY in json.dumps(role["Properties"].get("ManagedPolicyArns", []))
    ]
    [statement] = role["Properties"]["AssumeRolePolicyDocument"]["Statement"]
    (condition, _) = statement["Condition"]["StringEquals"]["Fn::GetAtt"]
    parts = synthesized.templates[environment]["Resources"][condition]["Properties"]["Value"]["Fn::Join"][1]
    keys = json.loads("".join(part if isinstance(part, str) else "ISSUER" for part in parts))
    assert keys["ISSUER:sub"] == f"system:serviceaccount:{CLOUDWATCH_NAMESPACE}:{CLOUDWATCH_SERVICE_ACCOUNT}"


def _alarm(synthesized: Synthesized, environment: str, suffix: str) -> dict[str, Any]:
    [alarm] = [
        a["Properties"]
        for a in synthesized.resources(environment, "AWS::CloudWatch::Alarm").values()
        if a["Properties"]["AlarmName"] == f"taskforge-{environment}-{suffix}"
    ]
    return alarm


@pytest.mark.parametrize("environment", ENVIRONMENTS)
@pytest.mark.parametrize(
    ("suffix", "missing"),
    [
        ("reminder-lag", "breaching"),  # the dispatcher's heartbeat: silence means it is not running
        ("quarantined", "notBreaching"),  # nothing quarantined is the good case
        ("5xx", "notBreaching"),
        ("cache-unavailable", "notBreaching"),
        ("database-cpu", "breaching"),
        ("database-free-storage", "breaching"),
    ],
)
def test_missing_data_is_breaching_where_silence_means_breakage(
    synthesized: Synthesized, environment: str, suffix: str, missing: str
) -> None:
    assert _alarm(synthesized, environment, suffix)["TreatMissingData"] == missing


@pytest.mark.parametrize("environment", ENVIRONMENTS)
def test_the_stacks_functions_log_to_groups_with_a_retention(synthesized: Synthesized, environment: str) -> None:
    groups = synthesized.resources(environment, "AWS::Logs::LogGroup")
    functions = synthesized.resources(environment, "AWS::Lambda::Function")
    unnamed = {
        key
        for key, function in functions.items()
        if function["Properties"].get("LoggingConfig", {}).get("LogGroup", {}).get("Ref") not in groups
    }
    assert unnamed == set()
