"""The cluster's platform: EKS-managed add-ons pinned to a version, the EBS CSI driver with a
role only its controller can assume, and the Helm charts of the mesh and Knative pinned too."""

from __future__ import annotations

import json
import re

import pytest

from cdk.components.addons import EBS_CSI_POLICY, EBS_CSI_SERVICE_ACCOUNT
from tests.infrastructure.cdk.conftest import ENVIRONMENTS, Synthesized


@pytest.mark.parametrize("environment", ENVIRONMENTS)
def test_the_ebs_csi_driver_and_metrics_server_are_pinned_add_ons(synthesized: Synthesized, environment: str) -> None:
    addons = {
        props["Properties"]["AddonName"]: props["Properties"]
        for props in synthesized.resources(environment, "AWS::EKS::Addon").values()
    }
    assert {"aws-ebs-csi-driver", "metrics-server"} <= set(addons)
    for addon in addons.values():
        assert re.fullmatch(r"v\d+\.\d+\.\d+-eksbuild\.\d+", addon["AddonVersion"])
    assert json.loads(addons["aws-ebs-csi-driver"]["ConfigurationValues"]) == {"defaultStorageClass": {"enabled": True}}
    assert "ServiceAccountRoleArn" in addons["aws-ebs-csi-driver"]


@pytest.mark.parametrize("environment", ENVIRONMENTS)
def test_only_the_ebs_csi_controller_may_assume_its_role(synthesized: Synthesized, environment: str) -> None:
    roles = synthesized.resources(environment, "AWS::IAM::Role")
    (role,) = [
        role
        for role in roles.values()
        if any(EBS_CSI_POLICY in json.dumps(arn) for arn in role["Properties"].get("ManagedPolicyArns", []))
    ]
    (statement,) = role["Properties"]["AssumeRolePolicyDocument"]["Statement"]
    assert statement["Action"] == "sts:AssumeRoleWithWebIdentity"
    (condition, _) = statement["Condition"]["StringEquals"]["Fn::GetAtt"]
    parts = synthesized.templates[environment]["Resources"][condition]["Properties"]["Value"]["Fn::Join"][1]
    keys = json.loads("".join(part if isinstance(part, str) else "ISSUER" for part in parts))
    assert keys == {
        "ISSUER:sub": f"system:serviceaccount:kube-system:{EBS_CSI_SERVICE_ACCOUNT}",
        "ISSUER:aud": "sts.amazonaws.com",
    }


@pytest.mark.parametrize("environment", ENVIRONMENTS)
def test_every_helm_chart_is_pinned(synthesized: Synthesized, environment: str) -> None:
    charts = synthesized.resources(environment, "Custom::AWSCDK-EKS-HelmChart")
    assert charts
    for chart in charts.values():
        assert chart["Properties"].get("Version"), chart["Properties"]["Chart"]
