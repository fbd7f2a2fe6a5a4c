"""The token key pair: the custom resource's handler against Secrets Manager (moto), its keys
checked by `cryptography` and PyJWT, and the resource in the template with a role that
reaches the two key secrets and nothing else."""

from __future__ import annotations

import json
import uuid
from typing import Any

import boto3
import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from cdk.components import keys, secrets
from cdk.key_pair import handler
from tests.infrastructure.cdk.conftest import ENVIRONMENTS, Synthesized

# RFC 8032, section 7.1, TEST 1.
RFC_SEED = bytes.fromhex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60")
RFC_PUBLIC = bytes.fromhex("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a")


def test_the_public_key_is_rfc_8032_s() -> None:
    assert handler.public_key(RFC_SEED) == RFC_PUBLIC


@pytest.mark.parametrize("attempt", range(5))
def test_cryptography_reads_the_pair_and_it_matches(attempt: int) -> None:
    seed = uuid.uuid4().bytes * 2
    private = serialization.load_pem_private_key(handler.private_pem(seed).encode(), password=None)
    public = serialization.load_pem_public_key(handler.public_pem(seed).encode())
    assert isinstance(private, Ed25519PrivateKey)
    assert isinstance(public, Ed25519PublicKey)
    assert public.public_bytes_raw() == private.public_key().public_bytes_raw()
    public.verify(private.sign(b"payload"), b"payload")


def test_tokens_signed_with_the_private_pem_verify_with_the_public_pem() -> None:
    seed = uuid.uuid4().bytes * 2
    token = jwt.encode({"sub": "someone"}, handler.private_pem(seed), algorithm="EdDSA")
    assert jwt.decode(token, handler.public_pem(seed), algorithms=["EdDSA"]) == {"sub": "someone"}


def test_a_key_cryptography_wrote_is_read_back() -> None:
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    assert handler.seed_of(pem) == key.private_bytes_raw()


@pytest.mark.parametrize(
    "value",
    [
        "",
        "kX9#random-string-from-secrets-manager",
        "-----BEGIN PRIVATE KEY-----\n-----END PRIVATE KEY-----",
        "-----BEGIN PRIVATE KEY-----\nnot base64!\n-----END PRIVATE KEY-----",
        handler.private_pem(RFC_SEED).replace("PRIVATE KEY", "PUBLIC KEY"),
        handler.public_pem(RFC_SEED),
    ],
)
def test_anything_but_an_ed25519_private_key_is_no_key(value: str) -> None:
    assert handler.seed_of(value) is None


@pytest.fixture
def client() -> Any:
    return boto3.client("secretsmanager")  # the test run's moto server (tests/conftest.py)


def _new_secret(client: Any, value: str | None) -> str:
    name = f"key-pair-test-{uuid.uuid4().hex}"
    client.create_secret(Name=name, **({"SecretString": value} if value is not None else {}))
    return name


def _field(client: Any, secret: str, field: str) -> str:
    document: dict[str, str] = json.loads(client.get_secret_value(SecretId=secret)["SecretString"])
    return document[field]


def _version(client: Any, secret: str) -> str:
    version: str = client.get_secret_value(SecretId=secret)["VersionId"]
    return version


@pytest.mark.parametrize("placeholder", [None, "kX9#random-string-from-cloudformation", '{"private-key": ""}'])
def test_an_empty_or_placeholder_secret_gets_a_new_matching_pair(client: Any, placeholder: str | None) -> None:
    signing, verify = _new_secret(client, placeholder), _new_secret(client, placeholder)

    assert handler.ensure_key_pair(client, signing, verify) == "generated"

    token = jwt.encode({"sub": "x"}, _field(client, signing, "private-key"), algorithm="EdDSA")
    assert jwt.decode(token, _field(client, verify, "public-key"), algorithms=["EdDSA"]) == {"sub": "x"}


def test_a_pair_that_is_there_is_never_touched(client: Any) -> None:
    seed = uuid.uuid4().bytes * 2
    signing = _new_secret(client, json.dumps({"private-key": handler.private_pem(seed)}))
    verify = _new_secret(client, json.dumps({"public-key": handler.public_pem(seed)}))
    versions = (_version(client, signing), _version(client, verify))

    assert handler.ensure_key_pair(client, signing, verify) == "kept"
    assert handler.ensure_key_pair(client, signing, verify) == "kept"

    assert (_version(client, signing), _version(client, verify)) == versions


def test_a_wrong_public_half_is_corrected_from_the_private_one_which_stays(client: Any) -> None:
    seed = uuid.uuid4().bytes * 2
    private = handler.private_pem(seed)
    signing = _new_secret(client, json.dumps({"private-key": private}))
    verify = _new_secret(client, "placeholder")
    version = _version(client, signing)

    assert handler.ensure_key_pair(client, signing, verify) == "kept, public key corrected"

    assert _version(client, signing) == version
    assert _field(client, signing, "private-key") == private
    assert _field(client, verify, "public-key") == handler.public_pem(seed)


def _event(request: str, signing: str, verify: str) -> dict[str, Any]:
    return {
        "RequestType": request,
        "ResponseURL": "https://cloudformation.invalid/response",
        "StackId": "stack",
        "RequestId": "request",
        "LogicalResourceId": "KeyPair",
        "ResourceProperties": {"SigningSecret": signing, "VerifySecret": verify},
    }


@pytest.fixture
def answers(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str]]:
    sent: list[tuple[str, str]] = []
    monkeypatch.setattr(handler, "_respond", lambda event, status, reason: sent.append((status, reason)))
    return sent


def test_delete_leaves_the_secrets_as_they_are(client: Any, answers: list[tuple[str, str]]) -> None:
    signing, verify = _new_secret(client, "placeholder"), _new_secret(client, "placeholder")

    handler.handler(_event("Delete", signing, verify), None)

    assert answers == [("SUCCESS", "the key pair is kept")]
    assert client.get_secret_value(SecretId=signing)["SecretString"] == "placeholder"


@pytest.mark.parametrize("request_type", ["Create", "Update"])
def test_create_and_update_answer_cloudformation(
    client: Any, answers: list[tuple[str, str]], request_type: str
) -> None:
    signing, verify = _new_secret(client, "placeholder"), _new_secret(client, "placeholder")

    handler.handler(_event(request_type, signing, verify), None)

    assert answers == [("SUCCESS", "generated")]


def test_the_vapid_key_is_made_once_and_read_by_the_runtime(client: Any, answers: list[tuple[str, str]]) -> None:
    from functions.platform.settings import Settings

    signing, verify, vapid = (_new_secret(client, "placeholder") for _ in range(3))
    event = _event("Create", signing, verify)
    event["ResourceProperties"]["VapidSecret"] = vapid

    handler.handler(event, None)
    made = json.loads(client.get_secret_value(SecretId=vapid)["SecretString"])["private-key"]
    handler.handler(event | {"RequestType": "Update"}, None)

    assert answers == [("SUCCESS", "generated; Web Push key generated"), ("SUCCESS", "kept; Web Push key kept")]
    assert json.loads(client.get_secret_value(SecretId=vapid)["SecretString"])["private-key"] == made
    public = Settings(vapid_private_key=made).vapid_public_key
    assert public is not None
    assert len(public) == 87


@pytest.mark.parametrize("stored", ["", "not base64 !", "AAAA", "A" * 43, "_" * 43])
def test_a_vapid_secret_without_a_valid_p256_key_gets_one(client: Any, stored: str) -> None:
    vapid = _new_secret(client, json.dumps({"private-key": stored}))

    assert handler.ensure_vapid_key(client, vapid) == "generated"
    assert handler.vapid_number(json.loads(client.get_secret_value(SecretId=vapid)["SecretString"])["private-key"])


def test_a_failure_is_reported_not_left_waiting(answers: list[tuple[str, str]]) -> None:
    handler.handler(_event("Create", f"missing-{uuid.uuid4().hex}", f"missing-{uuid.uuid4().hex}"), None)

    assert [status for status, _ in answers] == ["FAILED"]


@pytest.mark.parametrize("environment", ENVIRONMENTS)
def test_the_stack_generates_the_pair_once_and_keeps_it(synthesized: Synthesized, environment: str) -> None:
    resources = synthesized.resources(environment, "Custom::TaskForgeKeyPair")
    assert len(resources) == 1
    (resource,) = resources.values()
    assert resource["DeletionPolicy"] == "Retain"
    by_name = {
        props["Properties"]["Name"]: key
        for key, props in synthesized.resources(environment, "AWS::SecretsManager::Secret").items()
    }
    assert resource["Properties"]["SigningSecret"] == {"Ref": by_name[secrets.SIGNING_KEY]}
    assert resource["Properties"]["VerifySecret"] == {"Ref": by_name[secrets.VERIFY_KEY]}
    functions = synthesized.resources(environment, "AWS::Lambda::Function")
    (function,) = [f for f in functions.values() if f["Properties"].get("Handler") == "handler.handler"]
    assert function["Properties"]["Runtime"] == keys.RUNTIME.name


@pytest.mark.parametrize("environment", ENVIRONMENTS)
def test_the_generator_may_touch_the_three_key_secrets_only(synthesized: Synthesized, environment: str) -> None:
    by_name = {
        props["Properties"]["Name"]: key
        for key, props in synthesized.resources(environment, "AWS::SecretsManager::Secret").items()
    }
    policies = [
        policy
        for key, policy in synthesized.resources(environment, "AWS::IAM::Policy").items()
        if key.startswith("KeyPairRole")
    ]
    assert len(policies) == 1
    statements = policies[0]["Properties"]["PolicyDocument"]["Statement"]
    secret_statements = [s for s in statements if any(a.startswith("secretsmanager:") for a in s["Action"])]
    assert secret_statements == [
        {
            "Action": ["secretsmanager:GetSecretValue", "secretsmanager:PutSecretValue"],
            "Effect": "Allow",
            "Resource": [
                {"Ref": by_name[secrets.SIGNING_KEY]},
                {"Ref": by_name[secrets.VAPID_KEY]},
                {"Ref": by_name[secrets.VERIFY_KEY]},
            ],
        }
    ]
    others = [s for s in statements if s not in secret_statements]
    assert {action for s in others for action in s["Action"]} == {"logs:CreateLogStream", "logs:PutLogEvents"}
    roles = {
        key: role
        for key, role in synthesized.resources(environment, "AWS::IAM::Role").items()
        if key.startswith("KeyPairRole")
    }
    assert len(roles) == 1
    assert "ManagedPolicyArns" not in next(iter(roles.values()))["Properties"]


@pytest.mark.parametrize("environment", ENVIRONMENTS)
def test_the_secrets_are_synced_only_after_the_pair_exists(synthesized: Synthesized, environment: str) -> None:
    (key_pair,) = synthesized.resources(environment, "Custom::TaskForgeKeyPair")
    template = synthesized.templates[environment]["Resources"]
    synced = [
        key
        for key, resource in template.items()
        if key.startswith("SecretSyncSecrets") and resource["Type"] == "Custom::AWSCDK-EKS-KubernetesResource"
    ]
    assert synced
    for key in synced:
        assert key_pair in template[key].get("DependsOn", [])
