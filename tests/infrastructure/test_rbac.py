"""The deployer's Kubernetes rules (cdk/components/deployer.py DEPLOYER_RULES) are exactly what a
deploy uses: every kind in the rendered manifests (applied by label: get, list, create, patch),
what scripts/deploy/cluster.py does besides (the migration Job's delete, wait and logs; waiting for
the Services; the candidate smoke pod) and what knative/canary.py does. A missing rule would be
refused mid-deploy; an extra one is access nothing needs."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest

from cdk.components.deployer import DEPLOYER_RULES
from tests.infrastructure.deploy_scripts import deploy_script
from tests.infrastructure.manifests import ENVIRONMENTS, KNATIVE, Doc, load, script

cluster = deploy_script("cluster")
canary = script("canary")
Access = set[tuple[str, str, str]]

# The RBAC resource (plural) of each kind the manifests may hold: core kinds and the vendored
# Knative and Istio CRDs' spec.names.plural. A kind missing here fails the test, naming it.
RESOURCES = {
    ("", "ConfigMap"): "configmaps",
    ("", "ServiceAccount"): "serviceaccounts",
    ("", "Secret"): "secrets",
    ("", "Service"): "services",
    ("batch", "Job"): "jobs",
    ("policy", "PodDisruptionBudget"): "poddisruptionbudgets",
    ("serving.knative.dev", "Service"): "services",
    ("eventing.knative.dev", "Broker"): "brokers",
    ("eventing.knative.dev", "Trigger"): "triggers",
    ("sources.knative.dev", "PingSource"): "pingsources",
    ("sources.knative.dev", "ApiServerSource"): "apiserversources",
    ("networking.istio.io", "VirtualService"): "virtualservices",
    ("networking.istio.io", "DestinationRule"): "destinationrules",
    ("security.istio.io", "AuthorizationPolicy"): "authorizationpolicies",
    ("security.istio.io", "PeerAuthentication"): "peerauthentications",
}
APPLY_VERBS = ("get", "list", "create", "patch")  # kubectl apply --selector: read, create or merge-patch


def granted(rules: list[dict[str, list[str]]]) -> Access:
    return {
        (group, resource, verb)
        for rule in rules
        for group in rule["apiGroups"]
        for resource in rule["resources"]
        for verb in rule["verbs"]
    }


def applied(docs: list[Doc]) -> Access:
    """What applying the documents takes; raises on a kind nothing maps to a resource."""
    needed: Access = set()
    unknown = set()
    for doc in docs:
        kind = (doc["apiVersion"].rpartition("/")[0], doc["kind"])
        if kind not in RESOURCES:
            unknown.add(f"{doc['apiVersion']} {doc['kind']}")
            continue
        needed |= {(kind[0], RESOURCES[kind], verb) for verb in APPLY_VERBS}
    if unknown:
        raise AssertionError(f"kinds with no known resource: {sorted(unknown)}; add them to RESOURCES")
    return needed


def rendered() -> list[Doc]:
    return [doc for name in ENVIRONMENTS for doc in load(KNATIVE / "rendered" / f"{name}.yaml")]


def needed(docs: list[Doc]) -> Access:
    return applied(docs) | set(cluster.KUBECTL_ACCESS) | set(canary.CLUSTER_ACCESS)


def describe(access: Access) -> str:
    return ", ".join(f"{group or 'core'}/{resource}:{verb}" for group, resource, verb in sorted(access))


def test_the_deployer_may_do_everything_a_deploy_does() -> None:
    missing = needed(rendered()) - granted(DEPLOYER_RULES)
    assert not missing, f"DEPLOYER_RULES lack: {describe(missing)}"


def test_the_deployer_may_do_nothing_a_deploy_does_not() -> None:
    extra = granted(DEPLOYER_RULES) - needed(rendered())
    assert not extra, f"DEPLOYER_RULES grant what nothing uses: {describe(extra)}"


def test_a_new_kind_in_the_manifests_is_caught() -> None:
    docs = [*rendered(), {"apiVersion": "networking.istio.io/v1", "kind": "DestinationRule", "metadata": {}}]
    assert ("networking.istio.io", "destinationrules", "create") in needed(docs) - granted(DEPLOYER_RULES)
    with pytest.raises(AssertionError, match="kinds with no known resource"):
        needed([{"apiVersion": "example.dev/v1", "kind": "Widget", "metadata": {}}])


# What each kubectl call the scripts make asks of the API server, as RBAC spells it.
def call_access(args: list[str]) -> Access:
    verb, rest = args[0], args[1:]
    if verb == "apply":
        return set()  # derived from the manifests above
    if verb == "delete" and rest[0] == "job":
        return {("batch", "jobs", v) for v in ("delete", "get", "list", "watch")}
    if verb == "get" and rest[0] == "job":
        return {("batch", "jobs", "get")}
    if verb == "logs" and rest[0].startswith("job/"):
        return {("batch", "jobs", "get"), ("", "pods", "list"), ("", "pods/log", "get")}
    if verb == "wait" and rest[0] == "ksvc":
        return {("serving.knative.dev", "services", v) for v in ("get", "list", "watch")}
    if verb == "get" and rest[0] == "ksvc":
        return {("serving.knative.dev", "services", "list" if "--selector" in rest else "get")}
    if verb == "patch" and rest[0] == "ksvc":
        return {("serving.knative.dev", "services", "patch")}
    if verb == "run":
        return {("", "pods", v) for v in ("create", "get", "watch", "delete")} | {
            ("", "pods/attach", "create"),
            ("", "pods/attach", "get"),
            ("", "pods/log", "get"),
        }
    raise AssertionError(f"a kubectl call this test does not know: {args}")


def fake_kubectl(tmp_path: Path) -> tuple[Path, Path]:
    log = tmp_path / "calls.jsonl"
    services = {
        "items": [
            {
                "metadata": {"name": "get-health"},
                "spec": {"traffic": [{"revisionName": "get-health-00001", "percent": 90, "tag": "stable"}]},
                "status": {"traffic": [{"revisionName": "get-health-00001", "percent": 100}]},
            }
        ]
    }
    (tmp_path / "services.json").write_text(json.dumps(services))
    program = tmp_path / "kubectl"
    program.write_text(f"""#!{sys.executable}
import json, sys
args = sys.argv[3:]  # after --namespace <name>
with open({str(log)!r}, "a") as log:
    log.write(json.dumps(args) + "\\n")
if args[:2] == ["get", "job"]:
    print("Complete ")
elif args[:2] == ["get", "ksvc"]:
    print(open({str(tmp_path / "services.json")!r}).read())
""")
    program.chmod(0o755)
    return program, log


@pytest.fixture
def environ(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    program, log = fake_kubectl(tmp_path)
    monkeypatch.setenv("KUBECTL", str(program))
    monkeypatch.setattr(cluster, "POLL_SECONDS", 0)
    for name in ENVIRONMENTS:  # values no deploy has, in case the renderer requires them
        monkeypatch.setenv(f"TASKFORGE_{name.upper()}_ACCOUNT", "210987654321")
        monkeypatch.setenv(f"TASKFORGE_{name.upper()}_DOMAIN", f"{name}.taskforge-deploy-test.net")
    return {
        "DEPLOY_ENV": "production",
        "IMAGE": "210987654321.dkr.ecr.us-east-1.amazonaws.com/taskforge@sha256:" + "0" * 64,
        "NAMESPACE": "taskforge",
        "CANARY_PERCENT": "10",
        "log": log,
    }


@pytest.mark.parametrize("phases", [["deploy"], ["promote"], ["rollback"]])
def test_every_kubectl_call_of_the_deploy_script_and_canary_is_covered(
    environ: dict[str, Any], phases: list[str]
) -> None:
    log = environ.pop("log")
    for phase in phases:
        assert cluster.main([phase], environ) == 0
    calls = [json.loads(line) for line in log.read_text().splitlines()]
    assert calls
    used = set().union(*(call_access(call) for call in calls))
    assert used <= set(cluster.KUBECTL_ACCESS) | set(canary.CLUSTER_ACCESS), describe(
        used - set(cluster.KUBECTL_ACCESS) - set(canary.CLUSTER_ACCESS)
    )


def test_a_production_deploy_migrates_splits_applies_and_smoke_tests_in_that_order(environ: dict[str, Any]) -> None:
    log = environ.pop("log")
    assert cluster.main(["deploy"], environ) == 0
    steps = [
        call[0] + " " + (call[1] if not call[1].startswith("--") else call[-1])
        for call in (json.loads(line) for line in log.read_text().splitlines())
    ]
    assert steps == [
        "apply app.kubernetes.io/component=config",
        "delete job",
        "apply app.kubernetes.io/component=migration",
        "get job",
        "logs job/taskforge-migrate",
        "get ksvc",
        "patch ksvc",
        "apply app.kubernetes.io/component!=migration",
        "wait ksvc",
        "get ksvc",
        f"run {steps[-1][4:]}",
    ]


def test_a_failed_migration_stops_the_deploy_before_any_service_changes(
    environ: dict[str, Any], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    log = environ.pop("log")
    program = tmp_path / "kubectl"
    program.write_text(program.read_text().replace('print("Complete ")', 'print("Failed ")'))
    assert cluster.main(["deploy"], environ) == 1
    assert "deploy: deploy: the migration Job failed" in capsys.readouterr().err
    assert not [line for line in log.read_text().splitlines() if "ksvc" in line or "!=migration" in line]


def test_an_image_not_given_by_digest_is_refused(environ: dict[str, Any], capsys: pytest.CaptureFixture[str]) -> None:
    environ.pop("log")
    assert cluster.main(["deploy"], environ | {"IMAGE": "taskforge:latest"}) == 1
    assert "IMAGE must be <repository>@sha256:<digest>" in capsys.readouterr().err
