"""Every rendered resource validates: core objects against Kubernetes' schemas, Knative ones
against their CRDs (strictly: an unknown field fails, as `kubectl apply` rejects it), and the
Istio VirtualService against the structure TaskForge uses."""

from __future__ import annotations

import functools
import re
from typing import Any

import jsonschema
import kubernetes_validate
import pytest
import yaml

from .manifests import SCHEMAS, Doc, all_committed, synthetic_base

# The Kubernetes minor the manifests target (EKS).
KUBERNETES_VERSION = "1.33"
CORE_GROUPS = {"", "batch", "apps", "rbac.authorization.k8s.io", "policy"}
CRD_FILES = {
    ("serving.knative.dev", "Service"): "serving-service.yaml",
    ("sources.knative.dev", "PingSource"): "eventing-pingsource.yaml",
    ("eventing.knative.dev", "Broker"): "eventing-broker.yaml",
    ("eventing.knative.dev", "Trigger"): "eventing-trigger.yaml",
}


def every_resource() -> list[tuple[str, Doc]]:
    sets = all_committed() | {"synthetic": synthetic_base()}
    return [(f"{origin}:{doc['kind']}/{doc['metadata']['name']}", doc) for origin, docs in sets.items() for doc in docs]


RESOURCES = every_resource()


def group_of(doc: Doc) -> str:
    return doc["apiVersion"].rpartition("/")[0]


def ids(kinds: set[str] | None = None, groups: set[str] | None = None) -> list[Any]:
    return [
        pytest.param(doc, id=name)
        for name, doc in RESOURCES
        if (kinds is None or doc["kind"] in kinds) and (groups is None or group_of(doc) in groups)
    ]


def test_every_resource_has_a_validator() -> None:
    for name, doc in RESOURCES:
        known = (
            group_of(doc) in CORE_GROUPS or (group_of(doc), doc["kind"]) in CRD_FILES or doc["kind"] == "VirtualService"
        )
        assert known, f"{name}: no schema test covers {doc['apiVersion']} {doc['kind']}"


@pytest.mark.parametrize("doc", ids(groups=CORE_GROUPS))
def test_core_objects_validate_against_kubernetes(doc: Doc) -> None:
    kubernetes_validate.validate(doc, KUBERNETES_VERSION, strict=True)


def test_the_kubernetes_validation_is_strict() -> None:
    account = {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "x"}, "automount": True}
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(account, KUBERNETES_VERSION, strict=True)


# --- Knative, against the CRDs -------------------------------------------------------------

_SCHEMA_MAPS = ("properties", "patternProperties", "definitions")
_SCHEMA_LISTS = ("allOf", "anyOf", "oneOf")


def strict(schema: Any) -> Any:
    """The structural schema with unknown fields forbidden wherever the CRD lists its fields."""
    if not isinstance(schema, dict):
        return schema
    result = dict(schema)
    for key in _SCHEMA_MAPS:
        if isinstance(schema.get(key), dict):
            result[key] = {name: strict(child) for name, child in schema[key].items()}
    for key in _SCHEMA_LISTS:
        if isinstance(schema.get(key), list):
            result[key] = [strict(child) for child in schema[key]]
    for key in ("items", "additionalProperties", "not"):
        if isinstance(schema.get(key), dict):
            result[key] = strict(schema[key])
    if (
        "properties" in schema
        and "additionalProperties" not in schema
        and not schema.get("x-kubernetes-preserve-unknown-fields")
    ):
        result["additionalProperties"] = False
    return result


@functools.cache
def crd_validator(group: str, kind: str, version: str) -> jsonschema.protocols.Validator:
    crd = yaml.safe_load((SCHEMAS / CRD_FILES[(group, kind)]).read_text())
    assert crd["spec"]["group"] == group
    assert crd["spec"]["names"]["kind"] == kind
    served = {entry["name"]: entry for entry in crd["spec"]["versions"] if entry.get("served")}
    assert version in served, f"{group}/{version} {kind} is not served (served: {sorted(served)})"
    schema = strict(served[version]["schema"]["openAPIV3Schema"])
    # Every object has these at the top, whether or not the CRD spells them out.
    schema["properties"] = {
        "apiVersion": {"type": "string"},
        "kind": {"type": "string"},
        "metadata": {"type": "object"},
    } | schema.get("properties", {})
    jsonschema.Draft7Validator.check_schema(schema)
    return jsonschema.Draft7Validator(schema)


def validate_crd(doc: Doc) -> None:
    group, _, version = doc["apiVersion"].rpartition("/")
    errors = sorted(crd_validator(group, doc["kind"], version).iter_errors(doc), key=lambda e: list(e.path))
    assert not errors, "\n".join(f"{'.'.join(map(str, e.path))}: {e.message}" for e in errors)


def test_every_crd_is_vendored() -> None:
    # A missing schema fails here, by name, rather than skipping validation wherever it is absent.
    missing = sorted(name for name in CRD_FILES.values() if not (SCHEMAS / name).is_file())
    assert not missing, f"not in {SCHEMAS}: {missing}"


@pytest.mark.parametrize("doc", ids(groups={group for group, _ in CRD_FILES}))
def test_knative_resources_validate_against_their_crds(doc: Doc) -> None:
    validate_crd(doc)


def test_the_synthetic_catalog_covers_every_knative_kind() -> None:
    kinds = {(group_of(doc), doc["kind"]) for doc in synthetic_base()}
    assert set(CRD_FILES) <= kinds


def test_the_crd_validation_is_strict() -> None:
    service = next(doc for _, doc in RESOURCES if doc["kind"] == "Service")
    broken = yaml.safe_load(yaml.safe_dump(service))
    broken["spec"]["template"]["spec"]["containers"][0]["securityContxt"] = {}
    with pytest.raises(AssertionError, match="securityContxt"):
        validate_crd(broken)


# --- Istio ---------------------------------------------------------------------------------

_CLUSTER_LOCAL_HOST = r"^[a-z0-9-]+\.[a-z0-9-]+\.svc\.cluster\.local$"
_STRING_MATCH = {
    "type": "object",
    "minProperties": 1,
    "maxProperties": 1,
    "additionalProperties": False,
    "properties": {
        "exact": {"type": "string", "minLength": 1},
        "prefix": {"type": "string"},
        "regex": {"type": "string", "minLength": 1},
    },
}
_HTTP_ROUTE = {
    "type": "object",
    "required": ["name", "match", "route"],
    "additionalProperties": False,
    "properties": {
        "name": {"type": "string", "pattern": "^[a-z0-9-]+$"},
        "match": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "required": ["uri"],
                "additionalProperties": False,
                "properties": {"uri": _STRING_MATCH, "method": _STRING_MATCH},
            },
        },
        "rewrite": {
            "type": "object",
            "additionalProperties": False,
            "required": ["authority"],
            "properties": {"authority": {"type": "string", "pattern": _CLUSTER_LOCAL_HOST}},
        },
        "route": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "required": ["destination"],
                "additionalProperties": False,
                "properties": {
                    "destination": {
                        "type": "object",
                        "required": ["host", "port"],
                        "additionalProperties": False,
                        "properties": {
                            "host": {"type": "string"},
                            "port": {
                                "type": "object",
                                "required": ["number"],
                                "additionalProperties": False,
                                "properties": {"number": {"type": "integer", "minimum": 1, "maximum": 65535}},
                            },
                        },
                    },
                    "weight": {"type": "integer", "minimum": 0, "maximum": 100},
                },
            },
        },
        "timeout": {"type": "string", "pattern": r"^[0-9]+(\.[0-9]+)?(ms|s|m|h)$"},
        "retries": {
            "type": "object",
            "additionalProperties": False,
            "required": ["attempts"],
            "properties": {
                "attempts": {"type": "integer", "minimum": 0},
                "retryOn": {"type": "string"},
                "perTryTimeout": {"type": "string"},
            },
        },
    },
}
VIRTUAL_SERVICE_SCHEMA = {
    "type": "object",
    "required": ["apiVersion", "kind", "metadata", "spec"],
    "properties": {
        "apiVersion": {"const": "networking.istio.io/v1"},
        "kind": {"const": "VirtualService"},
        "metadata": {"type": "object", "required": ["name"]},
        "spec": {
            "type": "object",
            "required": ["hosts", "gateways", "http"],
            "additionalProperties": False,
            "properties": {
                "hosts": {"type": "array", "minItems": 1, "items": {"type": "string", "minLength": 1}},
                "gateways": {
                    "type": "array",
                    "minItems": 1,
                    "items": {"type": "string", "pattern": "^[a-z0-9-]+/[a-z0-9-]+$"},
                },
                "http": {"type": "array", "minItems": 1, "items": _HTTP_ROUTE},
            },
        },
    },
}
METHODS = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}


@pytest.mark.parametrize("doc", ids(kinds={"VirtualService"}))
def test_the_virtual_service_has_the_structure_istio_expects(doc: Doc) -> None:
    jsonschema.validate(doc, VIRTUAL_SERVICE_SCHEMA)
    names = [entry["name"] for entry in doc["spec"]["http"]]
    assert len(set(names)) == len(names), "http route names must be unique"
    for entry in doc["spec"]["http"]:
        for match in entry["match"]:
            if "regex" in match["uri"]:
                re.compile(match["uri"]["regex"])
            assert match.get("method", {"exact": "GET"})["exact"] in METHODS
