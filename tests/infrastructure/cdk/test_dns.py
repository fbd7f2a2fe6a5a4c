"""external-dns: with a hosted zone, a pinned chart that makes api.<domain> an alias of the
mesh's ALB, upserting only, in that zone only, as a ServiceAccount whose role may change
records of that zone alone; without a zone, nothing."""

from __future__ import annotations

import json
from typing import Any

import pytest
from aws_cdk import App

from cdk.app import build, cdk_json_context
from cdk.components.dns import (
    ACCOUNT_ACTIONS,
    CHART_VERSION,
    CHARTS,
    HOSTNAME_ANNOTATION,
    NAMESPACE,
    SERVICE_ACCOUNT,
    ZONE_ACTIONS,
)
from cdk.environments import EXAMPLE_DOMAINS, example_context
from tests.infrastructure.cdk.conftest import ENVIRONMENTS, Synthesized

ZONE_ID = "Z0123456789EXAMPLE"
ROLE_ARN = "ROLE_ARN"
CHART_TYPE = "Custom::AWSCDK-EKS-HelmChart"


@pytest.fixture(scope="module")
def with_zone(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """Staging's main stack with its hosted zone named, cdk-nag included: its template and
    cdk-nag's report (None when it found nothing)."""
    outdir = tmp_path_factory.mktemp("cdk.out")
    context = (
        cdk_json_context()
        | example_context()
        | {"aws:cdk:disable-stack-trace": True, "env": "staging", "staging.hosted_zone_id": ZONE_ID}
    )
    app = App(context=context, outdir=str(outdir))
    stack = build(app)["staging"]
    app.synth()  # an unacknowledged cdk-nag finding raises here
    report = outdir / "validation-report.json"
    template: dict[str, Any] = json.loads((outdir / f"{stack.stack_name}.template.json").read_text())
    return template, json.loads(report.read_text()) if report.exists() else None


def _resources(template: dict[str, Any], kind: str) -> dict[str, dict[str, Any]]:
    return {key: value for key, value in template["Resources"].items() if value["Type"] == kind}


def _text(value: Any, placeholder: str) -> str:
    """A template string, with every reference inside an Fn::Join replaced by `placeholder`."""
    if isinstance(value, str):
        return value
    return "".join(part if isinstance(part, str) else placeholder for part in value["Fn::Join"][1])


def _charts(template: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        resource["Properties"]
        for resource in _resources(template, CHART_TYPE).values()
        if resource["Properties"]["Chart"] == "external-dns"
    ]


def _roles(template: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    return [
        (key, role["Properties"])
        for key, role in _resources(template, "AWS::IAM::Role").items()
        if any(policy["PolicyName"] == "Records" for policy in role["Properties"].get("Policies", []))
    ]


def test_with_a_zone_the_pinned_chart_watches_ingresses_of_that_zone_and_domain(
    with_zone: tuple[dict[str, Any], dict[str, Any] | None],
) -> None:
    template, _ = with_zone
    (chart,) = _charts(template)
    assert (chart["Repository"], chart["Version"], chart["Namespace"]) == (CHARTS, CHART_VERSION, NAMESPACE)
    assert CHARTS == "https://kubernetes-sigs.github.io/external-dns/"
    values = json.loads(_text(chart["Values"], ROLE_ARN))
    assert values["provider"] == {"name": "aws"}
    assert values["sources"] == ["ingress"]
    assert values["domainFilters"] == [EXAMPLE_DOMAINS["staging"]]
    assert values["extraArgs"] == [f"--zone-id-filter={ZONE_ID}"]
    # Never deletes a record: the zone holds the site's alias and the certificate's and SES's records.
    assert values["policy"] == "upsert-only"
    assert (values["registry"], values["txtOwnerId"]) == ("txt", "taskforge-staging")
    assert values["serviceAccount"] == {
        "create": True,
        "name": SERVICE_ACCOUNT,
        "annotations": {"eks.amazonaws.com/role-arn": ROLE_ARN},
    }
    ((role_key, _),) = _roles(template)
    (reference,) = [part for part in chart["Values"]["Fn::Join"][1] if not isinstance(part, str)]
    assert reference == {"Fn::GetAtt": [role_key, "Arn"]}


def test_only_the_charts_service_account_may_assume_the_role(
    with_zone: tuple[dict[str, Any], dict[str, Any] | None],
) -> None:
    template, _ = with_zone
    ((_, role),) = _roles(template)
    (statement,) = role["AssumeRolePolicyDocument"]["Statement"]
    assert statement["Action"] == "sts:AssumeRoleWithWebIdentity"
    (condition, _) = statement["Condition"]["StringEquals"]["Fn::GetAtt"]
    value = template["Resources"][condition]["Properties"]["Value"]
    assert json.loads(_text(value, "ISSUER")) == {
        "ISSUER:sub": f"system:serviceaccount:{NAMESPACE}:{SERVICE_ACCOUNT}",
        "ISSUER:aud": "sts.amazonaws.com",
    }


def test_the_role_changes_records_of_that_zone_alone(with_zone: tuple[dict[str, Any], dict[str, Any] | None]) -> None:
    template, _ = with_zone
    ((role_key, role),) = _roles(template)
    (policy,) = role["Policies"]
    in_zone, account = policy["PolicyDocument"]["Statement"]
    assert sorted(in_zone["Action"]) == sorted(ZONE_ACTIONS)
    assert "route53:ChangeResourceRecordSets" in in_zone["Action"]
    assert _text(in_zone["Resource"], "PARTITION") == f"arn:PARTITION:route53:::hostedzone/{ZONE_ID}"
    assert (account["Action"], account["Resource"]) == (*ACCOUNT_ACTIONS, "*")
    # No other policy reaches the role.
    assert "ManagedPolicyArns" not in role
    assert not [
        p
        for p in _resources(template, "AWS::IAM::Policy").values()
        if {"Ref": role_key} in p["Properties"].get("Roles", [])
    ]


def test_with_a_zone_cdk_nag_finds_nothing(with_zone: tuple[dict[str, Any], dict[str, Any] | None]) -> None:
    _, report = with_zone
    findings = [
        f"{violation['ruleName']} at {construct['constructPath']}"
        for plugin in (report or {}).get("pluginReports", [])
        for violation in plugin["violations"]
        for construct in violation["violatingConstructs"]
    ]
    assert findings == []


@pytest.mark.parametrize("environment", ENVIRONMENTS)
def test_without_a_zone_there_is_no_chart_and_no_role(synthesized: Synthesized, environment: str) -> None:
    assert not synthesized.stacks[environment].environment_settings.hosted_zone_id
    template = synthesized.templates[environment]
    assert _charts(template) == []
    assert _roles(template) == []
    assert not any("/Dns/" in path for path in synthesized.acknowledgements)


@pytest.mark.parametrize("environment", ENVIRONMENTS)
def test_the_ingress_asks_for_the_api_hostname(synthesized: Synthesized, environment: str) -> None:
    manifests = [
        resource["Properties"]["Manifest"]
        for resource in synthesized.resources(environment, "Custom::AWSCDK-EKS-KubernetesResource").values()
    ]
    (ingress,) = [
        document
        for manifest in manifests
        for document in json.loads(_text(manifest, "REFERENCE"))
        if document["kind"] == "Ingress"
    ]
    api_domain = synthesized.stacks[environment].environment_settings.api_domain
    assert ingress["metadata"]["annotations"][HOSTNAME_ANNOTATION] == api_domain
    # The ALB's certificate covers that name: it is the Ingress's one host.
    assert [rule["host"] for rule in ingress["spec"]["rules"]] == [api_domain]
