"""The data stores as the code expects them: DynamoDB as the PynamoDB models say, RDS and
Redis encrypted and backed up, the registry scanning every image, the secrets named as
the Kubernetes side reads them."""

from __future__ import annotations

import json
from typing import Any

import pytest
from aws_cdk.assertions import Match

from cdk.components import database
from functions.platform import dynamo
from functions.platform.settings import Settings
from tests.infrastructure.cdk.conftest import ENVIRONMENTS, Synthesized
from tests.infrastructure.manifests import render

POSTGRES_DEFAULT_PORT = 5432

SETTINGS = Settings()
MODELS = {
    SETTINGS.delivery_ledger_table: dynamo.ledger_model(SETTINGS),
    SETTINGS.activity_table: dynamo.activity_model(SETTINGS),
}


def _table(synthesized: Synthesized, environment: str, name: str) -> dict[str, Any]:
    tables = [
        table["Properties"]
        for table in synthesized.resources(environment, "AWS::DynamoDB::Table").values()
        if table["Properties"]["TableName"] == name
    ]
    assert len(tables) == 1, f"{environment}: {len(tables)} tables named {name}"
    return tables[0]


def _keys(schema: list[dict[str, str]]) -> set[tuple[str, str]]:
    return {(key["AttributeName"], key["KeyType"]) for key in schema}


@pytest.mark.parametrize("environment", ENVIRONMENTS)
@pytest.mark.parametrize("name", sorted(MODELS))
def test_each_table_has_the_key_schema_of_its_pynamodb_model(
    synthesized: Synthesized, environment: str, name: str
) -> None:
    # Given the model functions/platform/dynamo.py reads and writes
    expected = MODELS[name]._get_schema()
    # When the stack defines the table of the same name
    table = _table(synthesized, environment, name)
    # Then keys, attribute types and indexes agree
    assert _keys(table["KeySchema"]) == _keys(expected["key_schema"])
    assert {(a["AttributeName"], a["AttributeType"]) for a in table["AttributeDefinitions"]} == {
        (a["AttributeName"], a["AttributeType"]) for a in expected["attribute_definitions"]
    }
    indexes = {index["IndexName"]: index for index in table.get("GlobalSecondaryIndexes", [])}
    assert set(indexes) == {index["index_name"] for index in expected["global_secondary_indexes"]}
    for index in expected["global_secondary_indexes"]:
        assert _keys(indexes[index["index_name"]]["KeySchema"]) == _keys(index["key_schema"])
        assert indexes[index["index_name"]]["Projection"] == {"ProjectionType": index["projection"]["ProjectionType"]}


@pytest.mark.parametrize("environment", ENVIRONMENTS)
@pytest.mark.parametrize("name", sorted(MODELS))
def test_each_table_is_on_demand_recoverable_and_expires_by_the_models_ttl_attribute(
    synthesized: Synthesized, environment: str, name: str
) -> None:
    table = _table(synthesized, environment, name)
    ttl = [attr for attr, kind in MODELS[name].get_attributes().items() if type(kind).__name__ == "TTLAttribute"]
    assert table["BillingMode"] == "PAY_PER_REQUEST"
    assert table["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"] is True
    assert table["TimeToLiveSpecification"] == {"AttributeName": ttl[0], "Enabled": True}
    assert table.get("DeletionProtectionEnabled", False) is (environment == "production")


def test_table_names_are_the_ones_the_functions_and_the_manifests_use(synthesized: Synthesized) -> None:
    names = {
        table["Properties"]["TableName"]
        for table in synthesized.resources("production", "AWS::DynamoDB::Table").values()
    }
    assert names == {SETTINGS.delivery_ledger_table, SETTINGS.activity_table}
    assert names == {render.BASE_CONFIG["DELIVERY_LEDGER_TABLE"], render.BASE_CONFIG["ACTIVITY_TABLE"]}


@pytest.mark.parametrize(("environment", "retention", "protected"), [("staging", 7, False), ("production", 30, True)])
def test_postgres_is_private_encrypted_backed_up_and_protected_in_production(
    synthesized: Synthesized, environment: str, retention: int, protected: bool
) -> None:
    synthesized.template(environment).has_resource(
        "AWS::RDS::DBInstance",
        {
            "Properties": Match.object_like(
                {
                    "Engine": "postgres",
                    "EngineVersion": Match.string_like_regexp(r"^16\."),
                    "StorageEncrypted": True,
                    "KmsKeyId": Match.any_value(),
                    "PubliclyAccessible": False,
                    "BackupRetentionPeriod": retention,
                    "DeletionProtection": protected,
                    "MultiAZ": protected,
                    "EnableIAMDatabaseAuthentication": True,
                }
            ),
            "DeletionPolicy": "Snapshot",
        },
    )


@pytest.mark.parametrize("environment", ENVIRONMENTS)
def test_postgres_listens_on_a_non_default_port_with_iam_authentication(
    synthesized: Synthesized, environment: str
) -> None:
    (instance,) = synthesized.resources(environment, "AWS::RDS::DBInstance").values()
    port = int(instance["Properties"]["Port"])
    assert port == database.PORT
    assert port != POSTGRES_DEFAULT_PORT
    assert instance["Properties"]["EnableIAMDatabaseAuthentication"] is True


@pytest.mark.parametrize("environment", ENVIRONMENTS)
def test_the_security_groups_and_the_secrets_use_the_instances_port(synthesized: Synthesized, environment: str) -> None:
    template = synthesized.templates[environment]
    (instance_id,) = synthesized.resources(environment, "AWS::RDS::DBInstance")
    instance_port = {"Fn::GetAtt": [instance_id, "Endpoint.Port"]}
    # The cluster's nodes (and the rotation functions) reach PostgreSQL on the port the instance
    # reports, and on nothing else.
    ingress = [
        rule["Properties"] for rule in synthesized.resources(environment, "AWS::EC2::SecurityGroupIngress").values()
    ]
    to_database = [
        rule for rule in ingress if "TaskForge functions and the migration Job" in rule.get("Description", "")
    ]
    assert to_database, "no rule admits the functions to PostgreSQL"
    (instance_group,) = synthesized.resources(environment, "AWS::RDS::DBInstance")[instance_id]["Properties"][
        "VPCSecurityGroups"
    ]
    to_instance = [rule for rule in ingress if rule["GroupId"] == instance_group]
    assert to_database[0] in to_instance
    assert len(to_instance) == 3  # the functions and the two rotation functions
    assert all((rule["FromPort"], rule["ToPort"]) == (instance_port, instance_port) for rule in to_instance)
    # The app user's secret takes host and port from the instance (the URL the External Secrets
    # Operator builds reads `port` from it), and nothing names the default port.
    attachments = synthesized.resources(environment, "AWS::SecretsManager::SecretTargetAttachment")
    assert len(attachments) == 2
    assert all(a["Properties"]["TargetType"] == "AWS::RDS::DBInstance" for a in attachments.values())
    assert str(POSTGRES_DEFAULT_PORT) not in json.dumps(template)


@pytest.mark.parametrize("environment", ENVIRONMENTS)
def test_postgres_passwords_rotate_and_tls_is_forced(synthesized: Synthesized, environment: str) -> None:
    template = synthesized.template(environment)
    template.resource_count_is("AWS::SecretsManager::RotationSchedule", 2)  # the administrator and the app user
    template.has_resource_properties(
        "AWS::RDS::DBParameterGroup", {"Parameters": Match.object_like({"rds.force_ssl": "1"})}
    )


@pytest.mark.parametrize("environment", ENVIRONMENTS)
def test_redis_is_encrypted_in_transit_and_at_rest_with_an_auth_token_from_secrets_manager(
    synthesized: Synthesized, environment: str
) -> None:
    groups = synthesized.resources(environment, "AWS::ElastiCache::ReplicationGroup")
    assert len(groups) == 1
    group = next(iter(groups.values()))["Properties"]
    assert group["Engine"] == "redis"
    assert group["TransitEncryptionEnabled"] is True
    assert group["AtRestEncryptionEnabled"] is True
    assert "KmsKeyId" in group
    assert "{{resolve:secretsmanager:" in str(group["AuthToken"])
    assert group["MultiAZEnabled"] is (environment == "production")


def test_redis_in_production_fails_over_automatically_across_zones_with_two_or_more_nodes(
    synthesized: Synthesized,
) -> None:
    (group,) = synthesized.resources("production", "AWS::ElastiCache::ReplicationGroup").values()
    assert group["Properties"]["MultiAZEnabled"] is True
    assert group["Properties"]["AutomaticFailoverEnabled"] is True
    assert group["Properties"]["NumCacheClusters"] >= 2


def test_postgres_in_production_is_multi_az(synthesized: Synthesized) -> None:
    (instance,) = synthesized.resources("production", "AWS::RDS::DBInstance").values()
    assert instance["Properties"]["MultiAZ"] is True


@pytest.mark.parametrize("environment", ENVIRONMENTS)
def test_the_registry_scans_every_push_and_never_moves_a_tag(synthesized: Synthesized, environment: str) -> None:
    # In the environment's registry stack (tests/infrastructure/cdk/test_registry.py).
    synthesized.registry_template(environment).has_resource_properties(
        "AWS::ECR::Repository",
        {
            "RepositoryName": "taskforge",
            "ImageScanningConfiguration": {"ScanOnPush": True},
            "ImageTagMutability": "IMMUTABLE",
            "LifecyclePolicy": Match.any_value(),
        },
    )


@pytest.mark.parametrize("environment", ENVIRONMENTS)
def test_every_secret_the_manifests_read_exists_under_its_kubernetes_name(
    synthesized: Synthesized, environment: str
) -> None:
    names = {
        secret["Properties"]["Name"]
        for secret in synthesized.resources(environment, "AWS::SecretsManager::Secret").values()
    }
    wanted = {secret for entries in render.SECRET_ENV.values() for _, secret, _ in entries}
    wanted |= {secret for _, secret, _ in render.MIGRATION_SECRET_ENV}
    assert wanted <= names
    # The one secret no manifest reads: the deploy workflow's smoke account.
    assert names - wanted == {f"taskforge-{environment}/smoke-user"}
