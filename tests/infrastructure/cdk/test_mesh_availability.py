"""The mesh and Knative survive a node drain: production runs istiod, the gateway and Knative's
control plane at least twice, and no disruption budget asks for more pods than there are."""

from __future__ import annotations

import json
from typing import Any

import pytest

from cdk.components.mesh import KNATIVE_EVENTING_BUDGETS, KNATIVE_SERVING_BUDGETS, PRODUCTION_REPLICAS
from tests.infrastructure.cdk.conftest import ENVIRONMENTS, Synthesized


def chart_values(synthesized: Synthesized, environment: str, chart: str) -> dict[str, Any]:
    (found,) = [
        resource["Properties"]
        for resource in synthesized.resources(environment, "Custom::AWSCDK-EKS-HelmChart").values()
        if resource["Properties"]["Chart"] == chart
    ]
    values = found.get("Values")
    return json.loads(values) if isinstance(values, str) else {}


def knative_spec(synthesized: Synthesized, environment: str, kind: str) -> dict[str, Any]:
    for resource in synthesized.resources(environment, "Custom::AWSCDK-EKS-KubernetesResource").values():
        manifest = resource["Properties"]["Manifest"]
        if isinstance(manifest, str):
            for doc in json.loads(manifest):
                if doc["kind"] == kind:
                    spec: dict[str, Any] = doc["spec"]
                    return spec
    raise AssertionError(f"no {kind} in the {environment} template")


def test_production_runs_two_istiod_with_a_budget(synthesized: Synthesized) -> None:
    values = chart_values(synthesized, "production", "istiod")
    assert values["replicaCount"] >= 2
    assert values["autoscaleMin"] >= 2
    assert values["global"]["defaultPodDisruptionBudget"]["enabled"] is True


def test_a_single_staging_istiod_has_no_budget_to_block_a_drain(synthesized: Synthesized) -> None:
    values = chart_values(synthesized, "staging", "istiod")
    assert values.get("replicaCount", 1) == 1
    assert values["global"]["defaultPodDisruptionBudget"]["enabled"] is False


@pytest.mark.parametrize("environment", ENVIRONMENTS)
def test_the_gateway_runs_twice_and_drains_one_at_a_time(synthesized: Synthesized, environment: str) -> None:
    values = chart_values(synthesized, environment, "gateway")
    assert values["autoscaling"]["minReplicas"] >= 2
    assert values["podDisruptionBudget"] == {"maxUnavailable": 1}


@pytest.mark.parametrize(
    ("kind", "budgets"), [("KnativeServing", KNATIVE_SERVING_BUDGETS), ("KnativeEventing", KNATIVE_EVENTING_BUDGETS)]
)
def test_production_runs_knative_twice_with_budgets_that_let_a_node_drain(
    synthesized: Synthesized, kind: str, budgets: tuple[str, ...]
) -> None:
    spec = knative_spec(synthesized, "production", kind)
    assert spec["high-availability"]["replicas"] == PRODUCTION_REPLICAS >= 2
    # One of two must stay: the other may go.
    assert spec["podDisruptionBudgets"] == [{"name": name, "minAvailable": 1} for name in budgets]
    assert "high-availability" not in knative_spec(synthesized, "staging", kind)
