"""The staging and production overlays: the right account, image, scale and domain, as
placeholders no cluster could take for real ones (and no account id anywhere under knative/),
and the same result whether kustomize or the renderer builds them."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from functions import catalog

from .manifests import (
    ENVIRONMENTS,
    KNATIVE,
    Doc,
    committed_base,
    committed_environment,
    containers,
    knative_services,
    load_text,
    named,
    of_kind,
    render,
)

PLACEHOLDERS = re.compile(r"<|xxx|TODO|changeme", re.IGNORECASE)


def overlay_files() -> list[Path]:
    return sorted([*(KNATIVE / "overlays").rglob("*.yaml"), *(KNATIVE / "rendered").glob("*.yaml")])


@pytest.mark.parametrize("path", overlay_files(), ids=lambda path: str(path.relative_to(KNATIVE)))
def test_no_placeholder_is_left(path: Path) -> None:
    for number, line in enumerate(path.read_text().splitlines(), start=1):
        assert not PLACEHOLDERS.search(line), f"{path.relative_to(KNATIVE)}:{number}: {line.strip()}"


ACCOUNT_ID = re.compile(r"(?<![0-9])[0-9]{12}(?![0-9])")


def knative_files() -> list[Path]:
    return sorted(path for path in KNATIVE.rglob("*") if path.is_file() and "__pycache__" not in path.parts)


def test_no_account_id_appears_anywhere_under_knative() -> None:
    found = [
        f"{path.relative_to(KNATIVE)}:{number}: {line.strip()}"
        for path in knative_files()
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if ACCOUNT_ID.search(line)
    ]
    assert not found, "an account id belongs in TASKFORGE_<ENV>_ACCOUNT or -c <env>.account:\n" + "\n".join(found)


@pytest.mark.parametrize("name", sorted(ENVIRONMENTS))
def test_the_committed_overlays_hold_placeholders_a_deploy_cannot_mistake(name: str) -> None:
    environment = ENVIRONMENTS[name]
    assert environment.account_id == render.ACCOUNT_PLACEHOLDER
    assert environment.image_tag == render.IMAGE_TAG_PLACEHOLDER
    assert environment.settings.domain.endswith(".example")  # reserved for documentation (RFC 2606)
    for path in [*(KNATIVE / "overlays" / name).glob("*.yaml"), KNATIVE / "rendered" / f"{name}.yaml"]:
        assert render.PLACEHOLDER_NOTE in path.read_text(), path


def test_the_base_leaves_the_role_to_the_overlays() -> None:
    for account in of_kind(committed_base(), "ServiceAccount"):
        assert "eks.amazonaws.com/role-arn" not in account["metadata"].get("annotations", {})


@pytest.mark.parametrize("name", sorted(ENVIRONMENTS))
def test_every_function_account_assumes_its_role_in_the_environments_account(name: str) -> None:
    environment, docs = ENVIRONMENTS[name], committed_environment(name)
    for function in catalog.FUNCTIONS:
        account = named(docs, "ServiceAccount", function.name)
        role = account["metadata"]["annotations"]["eks.amazonaws.com/role-arn"]
        assert role == f"arn:aws:iam::{environment.account_id}:role/taskforge-{name}-{function.name}"


@pytest.mark.parametrize("name", sorted(ENVIRONMENTS))
def test_everything_lands_in_the_namespace_with_the_environments_image(name: str) -> None:
    environment, docs = ENVIRONMENTS[name], committed_environment(name)
    assert {doc["metadata"]["namespace"] for doc in docs} == {environment.namespace}
    images = {container["image"] for _, container in containers(docs)}
    assert images == {
        f"{environment.account_id}.dkr.ecr.{environment.region}.amazonaws.com/taskforge:{environment.image_tag}"
    }


@pytest.mark.parametrize("name", sorted(ENVIRONMENTS))
def test_the_environment_is_configured_and_routed_by_its_own_domain(name: str) -> None:
    environment, docs = ENVIRONMENTS[name], committed_environment(name)
    config = named(docs, "ConfigMap", "taskforge-config")["data"]
    assert config["ENVIRONMENT"] == name
    assert config["CORS_ALLOW_ORIGIN"].startswith("https://")
    (virtual_service,) = of_kind(docs, "VirtualService")
    assert virtual_service["spec"]["hosts"] == list(environment.hosts)


def min_scales(docs: list[Doc]) -> dict[str, int]:
    return {
        service["metadata"]["name"]: int(
            service["spec"]["template"]["metadata"]["annotations"]["autoscaling.knative.dev/min-scale"]
        )
        for service in knative_services(docs)
    }


def test_production_keeps_every_api_function_warm() -> None:
    scales = min_scales(committed_environment("production"))
    for function in catalog.FUNCTIONS:
        if function.routes:
            assert scales[function.name] >= 1, function.name


def test_staging_scales_to_zero_as_the_catalog_says() -> None:
    scales = min_scales(committed_environment("staging"))
    assert scales == {function.name: function.scaling.min_scale for function in catalog.FUNCTIONS}


@pytest.mark.parametrize("name", sorted(ENVIRONMENTS))
def test_every_service_kept_running_has_one_disruption_budget(name: str) -> None:
    docs = committed_environment(name)
    budgets = {budget["metadata"]["name"]: budget for budget in of_kind(docs, "PodDisruptionBudget", "policy")}
    assert set(budgets) == {service for service, scale in min_scales(docs).items() if scale >= 1}
    for service, budget in budgets.items():
        assert budget["spec"]["maxUnavailable"] == 1
        assert budget["spec"]["selector"] == {"matchLabels": {"serving.knative.dev/service": service}}
        assert budget["metadata"]["namespace"] == ENVIRONMENTS[name].namespace


def test_production_budgets_every_api_function() -> None:
    budgets = {
        budget["metadata"]["name"] for budget in of_kind(committed_environment("production"), "PodDisruptionBudget")
    }
    assert {function.name for function in catalog.FUNCTIONS if function.routes} <= budgets


def test_traffic_is_left_to_the_canary_script() -> None:
    for docs in [committed_base(), *(committed_environment(name) for name in ENVIRONMENTS)]:
        for service in knative_services(docs):
            assert "traffic" not in service["spec"], service["metadata"]["name"]


def identity(doc: Doc) -> tuple[str, str, str]:
    return doc["apiVersion"], doc["kind"], doc["metadata"]["name"]


@pytest.mark.parametrize("name", sorted(ENVIRONMENTS))
def test_kustomize_builds_the_same_manifests_as_the_renderer(name: str) -> None:
    kubectl = shutil.which("kubectl")
    if kubectl is None:
        pytest.skip("kubectl is not installed: the renderer's own overlay build is all there is")
    built = subprocess.run(
        [kubectl, "kustomize", str(KNATIVE / "overlays" / name)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert built.returncode == 0, f"kubectl kustomize failed: {built.stderr.strip()[:500]}"
    kustomized = {identity(doc): doc for doc in load_text(built.stdout)}
    rendered = {identity(doc): doc for doc in committed_environment(name)}
    assert sorted(kustomized) == sorted(rendered)
    for key, doc in rendered.items():
        assert kustomized[key] == doc, f"{key}: kustomize and the renderer disagree"
