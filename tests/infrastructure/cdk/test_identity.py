"""One IAM role per catalog function, trusted by its ServiceAccount alone and granted
exactly what its `uses` names, nothing more."""

from __future__ import annotations

import json
from typing import Any

import pytest

from cdk.components.identity import TABLE_ACCESS
from cdk.environments import NAMESPACE
from functions.catalog import FUNCTIONS, Function
from tests.infrastructure.cdk.conftest import ENVIRONMENTS, Synthesized
from tests.infrastructure.manifests import render

SECRET_FOR_USE = {
    "database": "SecretsDatabaseAttachment",
    "redis": "SecretsRedis",
    "signing-key": "SecretsSigningKey",
    "verify-key": "SecretsVerifyKey",
}
# Actions AWS does not scope to a resource; none is granted to a function today.
UNSCOPED_ACTIONS: frozenset[str] = frozenset()


def _role(synthesized: Synthesized, environment: str, name: str) -> tuple[str, dict[str, Any]]:
    wanted = f"taskforge-{environment}-{name}"
    found = [
        (key, role)
        for key, role in synthesized.resources(environment, "AWS::IAM::Role").items()
        if role["Properties"].get("RoleName") == wanted
    ]
    assert len(found) == 1, f"{len(found)} roles named {wanted}"
    return found[0]


def _statements(synthesized: Synthesized, environment: str, role_id: str) -> list[dict[str, Any]]:
    return [
        statement
        for policy in synthesized.resources(environment, "AWS::IAM::Policy").values()
        if {"Ref": role_id} in policy["Properties"]["Roles"]
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]
    ]


def _actions(statements: list[dict[str, Any]]) -> set[str]:
    found: set[str] = set()
    for statement in statements:
        actions = statement["Action"]
        found |= {actions} if isinstance(actions, str) else set(actions)
    return found


def _resources(statement: dict[str, Any]) -> list[Any]:
    resources = statement["Resource"]
    return resources if isinstance(resources, list) else [resources]


def _mentions(value: Any, logical_prefix: str) -> bool:
    return logical_prefix in json.dumps(value)


@pytest.mark.parametrize("environment", ENVIRONMENTS)
def test_every_catalog_function_has_its_own_role_named_as_its_service_account_says(
    synthesized: Synthesized, environment: str
) -> None:
    overlay = render.for_settings(synthesized.stacks[environment].environment_settings)
    stack = synthesized.stacks[environment]
    for function in FUNCTIONS:
        _role(synthesized, environment, function.name)
        expected_arn = overlay.role_arn(function.name)
        assert expected_arn == f"arn:aws:iam::{stack.account}:role/taskforge-{environment}-{function.name}"
    named = [
        role
        for role in synthesized.resources(environment, "AWS::IAM::Role").values()
        if role["Properties"].get("RoleName", "").startswith(f"taskforge-{environment}-")
    ]
    assert len(named) == len(FUNCTIONS)


@pytest.mark.parametrize("environment", ENVIRONMENTS)
@pytest.mark.parametrize("function", FUNCTIONS, ids=lambda f: f.name)
def test_each_role_trusts_only_its_functions_service_account_through_the_cluster_oidc_provider(
    synthesized: Synthesized, environment: str, function: Function
) -> None:
    _, role = _role(synthesized, environment, function.name)
    (statement,) = role["Properties"]["AssumeRolePolicyDocument"]["Statement"]
    assert statement["Action"] == "sts:AssumeRoleWithWebIdentity"
    provider = statement["Principal"]["Federated"]["Ref"]
    assert synthesized.templates[environment]["Resources"][provider]["Type"] == "AWS::IAM::OIDCProvider"
    # The keys name the cluster's issuer, known at deploy time: a CfnJson resource holds the condition.
    (condition, _) = statement["Condition"]["StringEquals"]["Fn::GetAtt"]
    parts = synthesized.templates[environment]["Resources"][condition]["Properties"]["Value"]["Fn::Join"][1]
    issuers = [part for part in parts if not isinstance(part, str)]
    assert issuers
    assert all(provider in json.dumps(part) for part in issuers)
    keys = json.loads("".join(part if isinstance(part, str) else "ISSUER" for part in parts))
    assert keys == {
        "ISSUER:sub": f"system:serviceaccount:{NAMESPACE}:{function.name}",
        "ISSUER:aud": "sts.amazonaws.com",
    }
    assert "StringLike" not in json.dumps(statement)


@pytest.mark.parametrize("environment", ENVIRONMENTS)
@pytest.mark.parametrize("function", FUNCTIONS, ids=lambda f: f.name)
def test_each_role_may_do_exactly_what_its_uses_name(
    synthesized: Synthesized, environment: str, function: Function
) -> None:
    role_id, _ = _role(synthesized, environment, function.name)
    statements = _statements(synthesized, environment, role_id)
    actions = _actions(statements)
    if not function.uses - {"broker"}:
        assert statements == [], f"{function.name} uses nothing in AWS, so its role has no policy"
        return
    # Secrets: exactly the ones its uses name.
    secret_statements = [
        s for s in statements if _actions([s]) <= {"secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"}
    ]
    granted = {
        use
        for use, prefix in SECRET_FOR_USE.items()
        if any(_mentions(_resources(s), prefix) for s in secret_statements)
    }
    assert granted == function.uses & set(SECRET_FOR_USE)
    # SES: only those that use it, and only SendEmail.
    ses = {action for action in actions if action.startswith("ses:")}
    assert ses == ({"ses:SendEmail"} if "ses" in function.uses else set())
    # DynamoDB: only the table TABLE_ACCESS names, and writes only where it says so.
    dynamo = [s for s in statements if any(a.startswith("dynamodb:") for a in _actions([s]))]
    if "dynamodb" not in function.uses:
        assert dynamo == []
    else:
        table, access = TABLE_ACCESS[function.name]
        other = "Activity" if table == "ledger" else "DeliveryLedger"
        assert all(not _mentions(_resources(s), f"Tables{other}") for s in dynamo)
        dynamo_actions = _actions(dynamo)
        assert ("dynamodb:PutItem" in dynamo_actions) is (access != "read")
        assert ("dynamodb:Query" in dynamo_actions) is (access != "write")


@pytest.mark.parametrize("environment", ENVIRONMENTS)
def test_only_the_mail_senders_may_send_mail(synthesized: Synthesized, environment: str) -> None:
    senders = {
        function.name
        for function in FUNCTIONS
        if "ses:SendEmail"
        in _actions(_statements(synthesized, environment, _role(synthesized, environment, function.name)[0]))
    }
    assert senders == {
        "dispatch-reminders",
        "send-digests",
        "post-register",
        "request-email-verification",
        "request-password-reset",
        "create-invitation",
    }


@pytest.mark.parametrize("environment", ENVIRONMENTS)
def test_the_health_function_may_do_nothing_in_aws(synthesized: Synthesized, environment: str) -> None:
    role_id, _ = _role(synthesized, environment, "get-health")
    assert _statements(synthesized, environment, role_id) == []
    assert "ManagedPolicyArns" not in synthesized.templates[environment]["Resources"][role_id]["Properties"]


@pytest.mark.parametrize("environment", ENVIRONMENTS)
def test_function_policies_hold_no_wildcard_action_and_no_unscoped_resource(
    synthesized: Synthesized, environment: str
) -> None:
    for function in FUNCTIONS:
        role_id, role = _role(synthesized, environment, function.name)
        assert "ManagedPolicyArns" not in role["Properties"]
        for statement in _statements(synthesized, environment, role_id):
            assert statement["Effect"] == "Allow"
            for action in _actions([statement]):
                assert "*" not in action, f"{function.name}: {action}"
            if "*" in _resources(statement):
                assert _actions([statement]) <= UNSCOPED_ACTIONS, f"{function.name}: Resource * for {statement}"


def test_every_function_that_uses_dynamodb_says_which_table() -> None:
    assert set(TABLE_ACCESS) == {function.name for function in FUNCTIONS if "dynamodb" in function.uses}
