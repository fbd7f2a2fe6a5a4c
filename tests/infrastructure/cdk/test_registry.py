"""The image registry in a stack of its own, so a first deploy can push the image before the
main stack names it: the registry stack holds the repository with its settings, the main stack
holds none and depends on it, and the deploy workflow's role may push there."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from aws_cdk import App, Validations
from aws_cdk.assertions import Match
from cdk_nag import AwsSolutionsChecks

from cdk.app import cdk_json_context
from cdk.environments import APP, EXAMPLE_ACCOUNT, example_context, resolve
from cdk.registry_stack import RegistryStack
from tests.infrastructure.cdk.conftest import ENVIRONMENTS, Synthesized

DEPLOY_ROLE = f"arn:aws:iam::{EXAMPLE_ACCOUNT}:role/taskforge-cd-staging"
PUSH = {
    "ecr:PutImage",
    "ecr:InitiateLayerUpload",
    "ecr:UploadLayerPart",
    "ecr:CompleteLayerUpload",
    "ecr:BatchCheckLayerAvailability",
    "ecr:DescribeImages",
}


def _actions(statement: dict[str, Any]) -> set[str]:
    actions = statement["Action"]
    return {actions} if isinstance(actions, str) else set(actions)


@pytest.mark.parametrize("environment", ENVIRONMENTS)
def test_the_registry_stack_holds_the_repository_with_its_settings(synthesized: Synthesized, environment: str) -> None:
    template = synthesized.registry_template(environment)
    template.resource_count_is("AWS::ECR::Repository", 1)
    template.has_resource(
        "AWS::ECR::Repository",
        {
            "Properties": {
                "RepositoryName": APP,
                "ImageScanningConfiguration": {"ScanOnPush": True},
                "ImageTagMutability": "IMMUTABLE",
                "EncryptionConfiguration": {"EncryptionType": "KMS"},
                "LifecyclePolicy": Match.any_value(),
            },
            "DeletionPolicy": "Retain" if environment == "production" else "Delete",
        },
    )
    assert "RepositoryUri" in synthesized.registry_templates[environment]["Outputs"]
    registry = synthesized.stacks[environment].registry_stack
    assert registry.stack_name == f"TaskForge-{environment}-registry"
    assert registry.termination_protection is (environment == "production")


@pytest.mark.parametrize("environment", ENVIRONMENTS)
def test_the_main_stack_holds_no_repository_and_depends_on_the_registry_stack(
    synthesized: Synthesized, environment: str
) -> None:
    stack = synthesized.stacks[environment]
    synthesized.template(environment).resource_count_is("AWS::ECR::Repository", 0)
    assert stack.registry_stack in stack.dependencies
    # Looked up by name, not imported: no export pins the registry stack's outputs.
    assert "Fn::ImportValue" not in json.dumps(synthesized.templates[environment])
    assert not synthesized.registry_templates[environment].get("Outputs", {})["RepositoryUri"].get("Export")
    # The release the main stack reports is in the registry stack's repository.
    image = json.dumps(synthesized.templates[environment]["Outputs"]["Image"]["Value"])
    assert f"/{APP}:" in image


@pytest.mark.parametrize("environment", ENVIRONMENTS)
def test_without_a_deploy_role_nobody_is_granted_the_repository(synthesized: Synthesized, environment: str) -> None:
    synthesized.registry_template(environment).resource_count_is("AWS::IAM::Policy", 0)


@pytest.fixture(scope="module")
def with_deploy_role(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Any], Path]:
    """The staging registry stack alone, with the workflow's role set, cdk-nag included."""
    outdir = tmp_path_factory.mktemp("cdk.out")
    context = (
        cdk_json_context()
        | example_context()
        | {"aws:cdk:disable-stack-trace": True, "staging.deploy_role_arn": DEPLOY_ROLE}
    )
    app = App(context=context, outdir=str(outdir))
    stack = RegistryStack(app, resolve("staging", app.node.try_get_context))
    Validations.of(app).add_plugins(AwsSolutionsChecks(app, verbose=True))
    app.synth()  # an unacknowledged cdk-nag finding raises here
    template: dict[str, Any] = json.loads((outdir / f"{stack.stack_name}.template.json").read_text())
    return template, outdir


def test_the_deploy_role_may_push_and_look_up_images_in_the_repository_only(
    with_deploy_role: tuple[dict[str, Any], Path],
) -> None:
    template, outdir = with_deploy_role
    (repository,) = [key for key, value in template["Resources"].items() if value["Type"] == "AWS::ECR::Repository"]
    (policy,) = [value["Properties"] for value in template["Resources"].values() if value["Type"] == "AWS::IAM::Policy"]
    assert policy["Roles"] == ["taskforge-cd-staging"]
    statements = policy["PolicyDocument"]["Statement"]
    on_repository = set().union(
        *(_actions(s) for s in statements if s["Resource"] == {"Fn::GetAtt": [repository, "Arn"]})
    )
    assert on_repository >= PUSH
    # docker login: the one action that takes no resource.
    assert {action for s in statements if s["Resource"] == "*" for action in _actions(s)} == {
        "ecr:GetAuthorizationToken"
    }
    report = outdir / "validation-report.json"
    findings = (
        [
            violation["ruleName"]
            for plugin in json.loads(report.read_text())["pluginReports"]
            for violation in plugin["violations"]
        ]
        if report.exists()
        else []
    )
    assert findings == []
