"""A first deploy with no hand steps: gateway endpoints on the nodes' route tables, the
database role made by the migration path, DNS records when a zone is given, the SPA
uploaded with an invalidation, the repository in a stack of its own."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from aws_cdk import App

from cdk.app import build, cdk_json_context
from cdk.components import secrets
from cdk.components.spa import SpaNotBuilt
from tests.infrastructure.cdk.conftest import ENVIRONMENTS, Synthesized


def _private_route_tables(synthesized: Synthesized, environment: str) -> list[dict[str, Any]]:
    return [
        {"Ref": key} for key in synthesized.resources(environment, "AWS::EC2::RouteTable") if "privateSubnet" in key
    ]


@pytest.mark.parametrize("environment", ENVIRONMENTS)
@pytest.mark.parametrize("service", ["s3", "dynamodb"])
def test_s3_and_dynamodb_are_reached_through_gateway_endpoints(
    synthesized: Synthesized, environment: str, service: str
) -> None:
    endpoints = [
        endpoint["Properties"]
        for endpoint in synthesized.resources(environment, "AWS::EC2::VPCEndpoint").values()
        if endpoint["Properties"]["ServiceName"]["Fn::Join"][1][-1] == f".{service}"
    ]
    assert len(endpoints) == 1
    (endpoint,) = endpoints
    assert endpoint["VpcEndpointType"] == "Gateway"
    private = _private_route_tables(synthesized, environment)
    assert private
    assert sorted(endpoint["RouteTableIds"], key=str) == sorted(private, key=str)


@pytest.mark.parametrize("environment", ENVIRONMENTS)
def test_no_interface_endpoint_is_billed_by_the_hour(synthesized: Synthesized, environment: str) -> None:
    kinds = {
        endpoint["Properties"].get("VpcEndpointType", "Gateway")
        for endpoint in synthesized.resources(environment, "AWS::EC2::VPCEndpoint").values()
    }
    assert kinds == {"Gateway"}


ZONE_ID = "Z0123456789EXAMPLE"


def _synthesize(outdir: Path, **context: object) -> dict[str, Any]:
    """The staging stack alone, with a zone and the given context."""
    app = App(
        outdir=str(outdir),
        context=cdk_json_context()
        | {
            "aws:cdk:disable-stack-trace": True,
            "env": "staging",
            "staging.account": "123456789012",
            "staging.domain": "staging.taskforge.example",
            "staging.hosted_zone_id": ZONE_ID,
        }
        | context,
    )
    (stack,) = build(app).values()
    app.synth()
    template: dict[str, Any] = json.loads((outdir / f"{stack.stack_name}.template.json").read_text())
    return template


def _of_type(template: dict[str, Any], kind: str) -> dict[str, dict[str, Any]]:
    return {key: value for key, value in template["Resources"].items() if value["Type"] == kind}


@pytest.fixture(scope="module")
def with_zone_and_site(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    site = tmp_path_factory.mktemp("dist")
    (site / "assets").mkdir()
    (site / "assets" / "index-0123abcd.js").write_text("console.log('app')")
    (site / "index.html").write_text("<script src='/assets/index-0123abcd.js'></script>")
    (site / "favicon.svg").write_text("<svg/>")
    return _synthesize(tmp_path_factory.mktemp("cdk.out"), spaDist=str(site))


def _uploads(template: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return _of_type(template, "Custom::CDKBucketDeployment")


def test_the_spa_is_uploaded_and_the_distribution_invalidated_on_every_deploy(
    with_zone_and_site: dict[str, Any],
) -> None:
    uploads = _uploads(with_zone_and_site)
    assets = next(value for key, value in uploads.items() if "UploadAssets" in key)
    shell = next((key, value) for key, value in uploads.items() if "UploadShell" in key)
    (site_bucket,) = [key for key in _of_type(with_zone_and_site, "AWS::S3::Bucket") if key.startswith("SpaSite")]
    (distribution,) = _of_type(with_zone_and_site, "AWS::CloudFront::Distribution")

    for upload in (assets, shell[1]):
        assert upload["Properties"]["DestinationBucketName"] == {"Ref": site_bucket}
        assert upload["Properties"]["Prune"] is False  # pages loaded before a deploy keep their chunks
    assert assets["Properties"]["DestinationBucketKeyPrefix"] == "assets/"
    assert "max-age=31536000" in assets["Properties"]["SystemMetadata"]["cache-control"]
    assert assets["Properties"]["SystemMetadata"]["cache-control"].endswith("immutable")
    assert shell[1]["Properties"]["SystemMetadata"]["cache-control"] == "no-cache"
    assert shell[1]["Properties"]["DistributionId"] == {"Ref": distribution}
    assert shell[1]["Properties"]["DistributionPaths"] == ["/*"]
    assets_key = next(key for key in uploads if "UploadAssets" in key)
    assert any(
        dependency.startswith(assets_key.removesuffix("CustomResource")) for dependency in shell[1].get("DependsOn", [])
    )


def test_the_domain_is_an_alias_of_the_distribution_when_a_zone_is_given(with_zone_and_site: dict[str, Any]) -> None:
    records = _of_type(with_zone_and_site, "AWS::Route53::RecordSet")
    (distribution,) = _of_type(with_zone_and_site, "AWS::CloudFront::Distribution")
    aliases = {
        record["Properties"]["Type"]: record["Properties"]
        for record in records.values()
        if record["Properties"]["Name"] == "staging.taskforge.example."
    }
    assert set(aliases) == {"A", "AAAA"}
    for alias in aliases.values():
        assert alias["HostedZoneId"] == ZONE_ID
        assert alias["AliasTarget"]["DNSName"] == {"Fn::GetAtt": [distribution, "DomainName"]}


@pytest.mark.parametrize("environment", ENVIRONMENTS)
def test_without_a_zone_no_record_is_written(synthesized: Synthesized, environment: str) -> None:
    if synthesized.stacks[environment].environment_settings.hosted_zone_id:
        pytest.skip("this run's context names a zone")
    assert synthesized.resources(environment, "AWS::Route53::RecordSet") == {}


def test_a_deploy_without_a_built_spa_stops_with_one_line(tmp_path: Path) -> None:
    with pytest.raises(SpaNotBuilt, match=r"has no index\.html: build the SPA first"):
        _synthesize(tmp_path / "out", spaDist=str(tmp_path / "missing"), spaUpload="true")


def test_the_upload_can_be_left_out_explicitly(tmp_path: Path) -> None:
    template = _synthesize(tmp_path / "out", spaDist=str(tmp_path / "missing"), spaUpload="false")
    assert _uploads(template) == {}


def _external_secrets(synthesized: Synthesized, environment: str) -> dict[str, dict[str, Any]]:
    """The ExternalSecrets the stack applies, by name (the manifest is a JSON string with tokens)."""
    found: dict[str, dict[str, Any]] = {}
    for resource in synthesized.resources(environment, "Custom::AWSCDK-EKS-KubernetesResource").values():
        manifest = resource["Properties"]["Manifest"]
        text = (
            manifest
            if isinstance(manifest, str)
            else "".join(part if isinstance(part, str) else "0" for part in manifest["Fn::Join"][1])
        )
        for document in json.loads(text):
            if document["kind"] == "ExternalSecret":
                found[document["metadata"]["name"]] = document["spec"]
    return found


@pytest.mark.parametrize("environment", ENVIRONMENTS)
def test_the_migration_job_gets_the_owner_s_url_and_the_app_user_s_credentials(
    synthesized: Synthesized, environment: str
) -> None:
    specs = _external_secrets(synthesized, environment)
    admin, app = specs[secrets.DATABASE_ADMIN], specs[secrets.DATABASE]
    assert admin["dataFrom"] == [{"extract": {"key": secrets.DATABASE_ADMIN}}]
    assert set(admin["target"]["template"]["data"]) == {"url"}
    assert admin["target"]["template"]["data"]["url"].endswith("/{{ .dbname }}?sslmode=require")
    assert app["target"]["template"]["data"] | {"url": ""} == {
        "url": "",
        "username": "{{ .username }}",
        "password": "{{ .password }}",
    }
    # The administrator's password rotates alone: its copy must not stay stale for an hour.
    assert (admin["refreshInterval"], app["refreshInterval"]) == ("5m", "1h")


@pytest.mark.parametrize("environment", ENVIRONMENTS)
def test_both_database_secrets_name_the_database(synthesized: Synthesized, environment: str) -> None:
    for key in ("SecretsDatabaseAdmin", "SecretsDatabase1"):
        (secret,) = [
            value["Properties"]
            for name, value in synthesized.resources(environment, "AWS::SecretsManager::Secret").items()
            if name.startswith(key)
        ]
        template = secret["GenerateSecretString"]["SecretStringTemplate"]
        text = template if isinstance(template, str) else json.dumps(template)
        assert f'"dbname\\":\\"{secrets.DATABASE_NAME}' in text or f'"dbname":"{secrets.DATABASE_NAME}"' in text


@pytest.mark.parametrize("environment", ENVIRONMENTS)
def test_only_the_secret_sync_reads_the_administrator_s_secret(synthesized: Synthesized, environment: str) -> None:
    (admin,) = [
        name
        for name, value in synthesized.resources(environment, "AWS::SecretsManager::Secret").items()
        if value["Properties"].get("Name") == secrets.DATABASE_ADMIN
    ]
    # The secret, or its attachment to the instance (the same secret, with host and port).
    references = [{"Ref": admin}] + [
        {"Ref": name}
        for name, value in synthesized.resources(environment, "AWS::SecretsManager::SecretTargetAttachment").items()
        if value["Properties"]["SecretId"] == {"Ref": admin}
    ]
    readers = set()
    for name, policy in synthesized.resources(environment, "AWS::IAM::Policy").items():
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]:
            actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
            resources = statement["Resource"] if isinstance(statement["Resource"], list) else [statement["Resource"]]
            if "secretsmanager:GetSecretValue" in actions and any(ref in resources for ref in references):
                readers.add(name)
    # The External Secrets Operator's ServiceAccount ("Controller" on the cluster), and no function.
    assert readers
    assert all(name.startswith("ClusterControllerRole") for name in readers), readers
