"""Every container runs as the image's non-root user on a read-only root, with nothing to
escalate to, and every function container answers the runtime's probes."""

from __future__ import annotations

import re

import pytest

from functions.runtime.app import LIVENESS_PATH, READINESS_PATH

from .manifests import ROOT, Doc, all_committed, containers, knative_services, pod_spec, synthetic_base

CONTAINERS = [
    pytest.param(doc, container, id=f"{origin}:{doc['kind']}/{doc['metadata']['name']}")
    for origin, docs in (all_committed() | {"synthetic": synthetic_base()}).items()
    for doc, container in containers(docs)
]


def dockerfile_uid() -> int:
    users = re.findall(r"^USER\s+(\d+)", (ROOT / "Dockerfile").read_text(), flags=re.MULTILINE)
    return int(users[-1])


@pytest.mark.parametrize(("doc", "container"), CONTAINERS)
def test_every_container_is_locked_down(doc: Doc, container: Doc) -> None:
    assert container["securityContext"] == {
        "allowPrivilegeEscalation": False,
        "capabilities": {"drop": ["ALL"]},
        "readOnlyRootFilesystem": True,
        "runAsGroup": dockerfile_uid(),
        "runAsNonRoot": True,
        "runAsUser": dockerfile_uid(),
        "seccompProfile": {"type": "RuntimeDefault"},
    }


@pytest.mark.parametrize(("doc", "container"), CONTAINERS)
def test_every_container_writes_only_to_its_own_tmp(doc: Doc, container: Doc) -> None:
    assert container["volumeMounts"] == [{"name": "tmp", "mountPath": "/tmp"}]
    (volume,) = pod_spec(doc)["volumes"]
    assert volume["name"] == "tmp"
    assert "emptyDir" in volume


@pytest.mark.parametrize(("doc", "container"), CONTAINERS)
def test_every_container_has_requests_and_limits(doc: Doc, container: Doc) -> None:
    for bound in ("requests", "limits"):
        assert set(container["resources"][bound]) == {"cpu", "memory"}


@pytest.mark.parametrize(("doc", "container"), [param for param in CONTAINERS if param.values[0]["kind"] == "Service"])
def test_every_function_container_has_the_runtime_probes(doc: Doc, container: Doc) -> None:
    assert container["startupProbe"]["httpGet"]["path"] == LIVENESS_PATH
    assert container["livenessProbe"]["httpGet"]["path"] == LIVENESS_PATH
    assert container["readinessProbe"]["httpGet"]["path"] == READINESS_PATH
    port = container["ports"][0]["containerPort"]
    for probe in ("startupProbe", "livenessProbe", "readinessProbe"):
        assert container[probe]["httpGet"]["port"] == port
    # Knative rejects a probe that sets failureThreshold or timeoutSeconds with periodSeconds 0
    # (its aggressive start-up probing), so the readiness probe sets neither.
    assert set(container["readinessProbe"]) == {"httpGet", "successThreshold"}


def test_the_migration_pod_is_locked_down_at_pod_level_too() -> None:
    for docs in all_committed().values():
        for job in (doc for doc in docs if doc["kind"] == "Job"):
            spec = pod_spec(job)
            assert spec["securityContext"]["runAsNonRoot"] is True
            assert spec["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}
            assert spec["automountServiceAccountToken"] is False


def test_every_function_service_is_cluster_local() -> None:
    for docs in all_committed().values():
        for service in knative_services(docs):
            assert service["metadata"]["labels"]["networking.knative.dev/visibility"] == "cluster-local"
