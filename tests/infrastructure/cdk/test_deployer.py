"""The in-VPC deployer: a CodeBuild project in the cluster's VPC whose role reaches Kubernetes
through a group bound to rules of its own (no AWS-managed access policy), and a policy for the
CD workflow's role that starts builds and reads their logs, with no Kubernetes access at all."""

from __future__ import annotations

import json
from typing import Any

import pytest

from cdk.components.deployer import DEPLOYER_GROUP, DEPLOYER_RULES, SOURCE_KEY
from cdk.environments import NAMESPACE
from tests.infrastructure.cdk.conftest import ENVIRONMENTS, Synthesized


def _project(synthesized: Synthesized, environment: str) -> dict[str, Any]:
    (project,) = [
        project["Properties"]
        for project in synthesized.resources(environment, "AWS::CodeBuild::Project").values()
        if project["Properties"].get("Name") == f"taskforge-{environment}-deployer"
    ]
    return project


def _manifests(synthesized: Synthesized, environment: str) -> list[dict[str, Any]]:
    return [
        document
        for resource in synthesized.resources(environment, "Custom::AWSCDK-EKS-KubernetesResource").values()
        if isinstance(resource["Properties"]["Manifest"], str)
        for document in json.loads(resource["Properties"]["Manifest"])
    ]


@pytest.mark.parametrize("environment", ENVIRONMENTS)
def test_the_deployer_runs_in_the_clusters_private_subnets_and_reaches_its_api_on_443(
    synthesized: Synthesized, environment: str
) -> None:
    project = _project(synthesized, environment)
    assert project["VpcConfig"]["Subnets"]
    (group,) = project["VpcConfig"]["SecurityGroupIds"]
    ingress = [
        rule["Properties"]
        for rule in synthesized.resources(environment, "AWS::EC2::SecurityGroupIngress").values()
        if rule["Properties"].get("SourceSecurityGroupId") == group
    ]
    assert [(rule["FromPort"], rule["ToPort"]) for rule in ingress] == [(443, 443)]
    assert "ClusterSecurityGroupId" in json.dumps(ingress[0]["GroupId"])
    assert project["Environment"]["PrivilegedMode"] is False
    assert project["Source"]["Type"] == "S3"
    assert project["Source"]["Location"]["Fn::Join"][1][-1] == f"/{SOURCE_KEY}"
    assert "scripts/deploy/cluster.py" in project["Source"]["BuildSpec"]


@pytest.mark.parametrize("environment", ENVIRONMENTS)
def test_the_build_renders_with_the_values_the_stack_was_deployed_with(
    synthesized: Synthesized, environment: str
) -> None:
    project = _project(synthesized, environment)
    variables = {v["Name"]: v["Value"] for v in project["Environment"]["EnvironmentVariables"]}
    settings = synthesized.stacks[environment].environment_settings
    prefix = f"TASKFORGE_{environment.upper()}_"
    assert variables[prefix + "ACCOUNT"] == settings.account
    assert variables[prefix + "DOMAIN"] == settings.domain
    assert variables[prefix + "PRODUCTION"] == str(settings.production).lower()
    assert variables["DEPLOY_ENV"] == environment
    assert variables["NAMESPACE"] == NAMESPACE
    assert "CLUSTER_NAME" in variables


@pytest.mark.parametrize("environment", ENVIRONMENTS)
def test_the_deployers_kubernetes_access_is_its_own_role_and_no_managed_access_policy(
    synthesized: Synthesized, environment: str
) -> None:
    entries = [entry["Properties"] for entry in synthesized.resources(environment, "AWS::EKS::AccessEntry").values()]
    assert "AmazonEKSEditPolicy" not in json.dumps(entries)
    (deployer,) = [entry for entry in entries if entry.get("KubernetesGroups")]
    assert deployer["KubernetesGroups"] == [DEPLOYER_GROUP]
    assert not deployer.get("AccessPolicies")
    assert "DeployerProjectRole" in json.dumps(deployer["PrincipalArn"])

    manifests = _manifests(synthesized, environment)
    (role,) = [doc for doc in manifests if doc["kind"] == "Role" and doc["metadata"]["namespace"] == NAMESPACE]
    assert role["rules"] == DEPLOYER_RULES
    (binding,) = [doc for doc in manifests if doc["kind"] == "RoleBinding"]
    assert binding["metadata"]["namespace"] == NAMESPACE
    assert binding["roleRef"] == {
        "apiGroup": "rbac.authorization.k8s.io",
        "kind": "Role",
        "name": role["metadata"]["name"],
    }
    assert binding["subjects"] == [{"apiGroup": "rbac.authorization.k8s.io", "kind": "Group", "name": DEPLOYER_GROUP}]
    assert not [
        doc
        for doc in manifests
        if doc["kind"] in ("ClusterRole", "ClusterRoleBinding") and DEPLOYER_GROUP in json.dumps(doc)
    ]


@pytest.mark.parametrize("environment", ENVIRONMENTS)
def test_the_deployers_aws_role_only_describes_its_cluster(synthesized: Synthesized, environment: str) -> None:
    policies = [
        policy["Properties"]["PolicyDocument"]["Statement"]
        for policy in synthesized.resources(environment, "AWS::IAM::Policy").values()
        if "DeployerProjectRole" in json.dumps(policy["Properties"]["Roles"])
    ]
    actions = {
        action
        for statements in policies
        for statement in statements
        for action in ([statement["Action"]] if isinstance(statement["Action"], str) else statement["Action"])
    }
    assert {action for action in actions if action.startswith("eks:")} == {"eks:DescribeCluster"}
    assert not {action for action in actions if action.startswith(("ecr:", "iam:", "sts:", "cloudformation:"))}


@pytest.mark.parametrize("environment", ENVIRONMENTS)
def test_the_workflows_policy_starts_and_follows_builds_and_nothing_of_kubernetes(
    synthesized: Synthesized, environment: str
) -> None:
    wanted = "upload a source to, start and follow the deployer"
    (policy,) = [
        policy["Properties"]
        for policy in synthesized.resources(environment, "AWS::IAM::ManagedPolicy").values()
        if wanted in policy["Properties"]["Description"]
    ]
    statements = policy["PolicyDocument"]["Statement"]
    assert [statement["Action"] for statement in statements] == [
        "s3:PutObject",
        ["codebuild:BatchGetBuilds", "codebuild:StartBuild"],
        "secretsmanager:GetSecretValue",
        "cloudwatch:GetMetricData",
        "logs:GetLogEvents",
    ]
    assert "DeployerProject" in json.dumps(statements[1]["Resource"])
    assert "eks:" not in json.dumps(policy)
    outputs = synthesized.templates[environment]["Outputs"]
    assert {
        "DeployerProject",
        "DeployerSourceBucket",
        "DeployerLogGroup",
        "DeployerWorkflowPolicy",
        "SmokeUserSecret",
    } <= set(outputs)


def test_cdk_nag_finds_nothing_unacknowledged_in_the_deployer(synthesized: Synthesized) -> None:
    findings = [
        f"{violation['ruleName']} at {construct['constructPath']}"
        for plugin in (synthesized.report or {}).get("pluginReports", [])
        for violation in plugin["violations"]
        for construct in violation["violatingConstructs"]
        if "/Deployer/" in construct["constructPath"]
    ]
    assert findings == []
