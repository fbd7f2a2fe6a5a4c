"""Staging's arithmetic: at `nodes_min`, its nodes hold the platform's pods plus every
revision at its initial scale, by requests (what the scheduler counts) and by pod slots.

The revisions come from the renderer (knative/render.py) and the catalog; the platform's
figures are the default requests of each chart or EKS add-on as published for the pinned
version, listed below. docs/operations.md ("Staging capacity") shows the same table,
and a test checks it is this one: `python -m tests.infrastructure.test_capacity` prints it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from cdk.components.autoscaler import REQUESTS as AUTOSCALER_REQUESTS
from cdk.environments import DEFAULTS
from functions import catalog
from tests.infrastructure.manifests import ROOT, script

OPERATIONS = ROOT / "docs" / "operations.md"
STAGING = DEFAULTS["staging"]
# One m7i.large (2 vCPU, 8 GiB) as EKS's AL2023 AMI reserves it: kube-reserved CPU is 6 %
# of the first core and 1 % of the second (70m); memory is what the kernel reports (about
# 7.6 GiB) less kube-reserved (255Mi + 11Mi per pod, 29 pods) and the 100Mi eviction threshold.
# Pods: the VPC CNI without prefix delegation, 3 ENIs of 10 addresses, one each their own, + 2.
INSTANCE_TYPE = "m7i.large"
ALLOCATABLE_CPU_M = 1930
ALLOCATABLE_MEMORY_MI = 7270  # ≈ 7.1 GiB
MAX_PODS = 29
# Knative's defaults: every new revision starts at initial-scale 1 (allow-zero-initial-scale
# is false) or its min-scale if higher, and the queue-proxy sidecar requests 25m CPU and no
# memory (config-deployment queue-sidecar-cpu-request). The functions' namespace has no
# Istio injection, so no mesh sidecar.
INITIAL_SCALE = 1
QUEUE_PROXY_CPU_M = 25
QUEUE_PROXY_MEMORY_MI = 0


@dataclass(frozen=True)
class Pods:
    component: str
    replicas: int  # per node for a DaemonSet
    cpu_m: int  # each pod's requests
    memory_mi: int
    daemon_set: bool = False


def quantity_m(cpu: str) -> int:
    return int(cpu[:-1]) if cpu.endswith("m") else int(float(cpu) * 1000)


def quantity_mi(memory: str) -> int:
    units = {"Mi": 1, "Gi": 1024}
    return int(float(memory[:-2]) * units[memory[-2:]])


# Staging's platform, one replica each unless the stack says otherwise (mesh.py: two
# gateways; the chart and add-on defaults otherwise). A component whose chart requests
# nothing by default still takes a pod slot.
PLATFORM: tuple[Pods, ...] = (
    Pods("istiod (istiod chart 1.27.3)", 1, 500, 2048),
    Pods("istio-ingressgateway (gateway chart 1.27.3)", 2, 100, 128),
    Pods("Knative operator + its webhook (v1.20.0)", 2, 100, 100),
    Pods("Knative activator", 1, 300, 60),
    Pods("Knative autoscaler, controller, webhook", 3, 100, 100),
    Pods("Knative autoscaler-hpa, net-istio controller", 2, 30, 40),
    Pods("Knative net-istio webhook", 1, 20, 20),
    Pods("Knative Eventing controller", 1, 100, 100),
    Pods("Knative Eventing webhook", 1, 100, 50),
    Pods("in-memory channel controller + dispatcher", 2, 100, 100),
    Pods("MT broker controller, filter, ingress; job-sink", 4, 100, 100),
    Pods("PingSource adapter", 1, 125, 64),
    Pods("External Secrets controller, webhook, cert-controller (0.20.4)", 3, 0, 0),
    Pods("AWS Load Balancer Controller (3.2.2)", 2, 0, 0),
    Pods("CoreDNS (EKS add-on)", 2, 100, 70),
    Pods("metrics-server (EKS add-on v0.8.0)", 2, 100, 200),
    Pods("EBS CSI controller (6 containers of 10m/40Mi)", 2, 60, 240),
    Pods("CloudWatch Observability operator", 1, 100, 64),
    Pods(
        "cluster-autoscaler (autoscaler.py)",
        1,
        quantity_m(AUTOSCALER_REQUESTS["cpu"]),
        quantity_mi(AUTOSCALER_REQUESTS["memory"]),
    ),
    Pods("kube-proxy (DaemonSet)", 1, 100, 0, daemon_set=True),
    Pods("VPC CNI aws-node (DaemonSet)", 1, 25, 0, daemon_set=True),
    Pods("EBS CSI node (DaemonSet, 3 containers of 10m/40Mi)", 1, 30, 120, daemon_set=True),
    Pods("CloudWatch agent (DaemonSet)", 1, 250, 128, daemon_set=True),
    Pods("Fluent Bit (DaemonSet)", 1, 50, 25, daemon_set=True),
)


def revisions() -> tuple[Pods, ...]:
    """Every Knative Service staging renders, at its initial scale, plus the migration Job a
    deploy runs alongside them."""
    render = script("render")
    docs: list[dict[str, Any]] = render.render_environment(render.committed("staging"), catalog.FUNCTIONS)
    shapes: dict[tuple[int, int], int] = {}
    job: Pods | None = None
    for doc in docs:
        if doc["kind"] == "Service" and doc["apiVersion"].startswith("serving.knative.dev/"):
            template = doc["spec"]["template"]
            pods = max(INITIAL_SCALE, int(template["metadata"]["annotations"]["autoscaling.knative.dev/min-scale"]))
            cpu, memory = _requests(template["spec"]["containers"])
            shape = (cpu + QUEUE_PROXY_CPU_M, memory + QUEUE_PROXY_MEMORY_MI)
            shapes[shape] = shapes.get(shape, 0) + pods
        elif doc["kind"] == "Job":
            job = Pods("migration Job", 1, *_requests(doc["spec"]["template"]["spec"]["containers"]))
    assert job is not None
    return (
        *(
            Pods("function revisions (function + queue-proxy)", count, cpu, memory)
            for (cpu, memory), count in sorted(shapes.items())
        ),
        job,
    )


def _requests(containers: list[dict[str, Any]]) -> tuple[int, int]:
    requests = [container["resources"]["requests"] for container in containers]
    return (sum(quantity_m(r["cpu"]) for r in requests), sum(quantity_mi(r["memory"]) for r in requests))


@dataclass(frozen=True)
class Totals:
    cpu_m: int
    memory_mi: int
    pods: int


def totals(rows: tuple[Pods, ...], nodes: int) -> Totals:
    def count(row: Pods) -> int:
        return row.replicas * (nodes if row.daemon_set else 1)

    return Totals(
        sum(count(row) * row.cpu_m for row in rows),
        sum(count(row) * row.memory_mi for row in rows),
        sum(count(row) for row in rows),
    )


def nodes_needed(rows: tuple[Pods, ...]) -> int:
    """The fewest nodes whose allocatable covers every request and pod (DaemonSets grow with them)."""
    for nodes in range(1, 100):
        need = totals(rows, nodes)
        if (
            need.cpu_m <= nodes * ALLOCATABLE_CPU_M
            and need.memory_mi <= nodes * ALLOCATABLE_MEMORY_MI
            and need.pods <= nodes * MAX_PODS
        ):
            return nodes
    raise AssertionError("no node count fits")


def table(nodes: int = STAGING.nodes_min) -> str:
    rows = (*PLATFORM, *revisions())
    need = totals(rows, nodes)
    lines = ["| component | replicas | CPU (m) | memory (Mi) |", "| --- | --- | ---: | ---: |"]
    for row in rows:
        replicas = f"{row.replicas * nodes} (1 per node)" if row.daemon_set else str(row.replicas)
        count = row.replicas * (nodes if row.daemon_set else 1)
        lines.append(f"| {row.component} | {replicas} | {count * row.cpu_m} | {count * row.memory_mi} |")
    cpu, memory, pods = nodes * ALLOCATABLE_CPU_M, nodes * ALLOCATABLE_MEMORY_MI, nodes * MAX_PODS
    lines += [
        f"| **total requested** | {need.pods} pods | {need.cpu_m} | {need.memory_mi} |",
        f"| **allocatable**, {nodes} {INSTANCE_TYPE} nodes | {pods} pods | {cpu} | {memory} |",
        f"| **headroom** | {pods - need.pods} pods | {cpu - need.cpu_m} | {memory - need.memory_mi} |",
    ]
    return "\n".join(lines) + "\n"


def test_staging_nodes_min_holds_the_platform_and_every_revision_at_initial_scale() -> None:
    rows = (*PLATFORM, *revisions())
    need = totals(rows, STAGING.nodes_min)
    assert STAGING.node_instance_type == INSTANCE_TYPE
    assert need.cpu_m <= STAGING.nodes_min * ALLOCATABLE_CPU_M
    assert need.memory_mi <= STAGING.nodes_min * ALLOCATABLE_MEMORY_MI
    assert need.pods <= STAGING.nodes_min * MAX_PODS
    assert STAGING.nodes_min >= nodes_needed(rows)


def test_the_autoscaler_has_room_above_staging_nodes_min() -> None:
    # A node's worth of room at least: requests never pack perfectly, and a deploy brings
    # each revision's successor up before the old one goes.
    assert STAGING.nodes_max > STAGING.nodes_min


def test_every_catalog_function_is_counted_at_its_initial_scale() -> None:
    (functions, job) = revisions()
    assert functions.replicas == sum(max(INITIAL_SCALE, f.scaling.min_scale) for f in catalog.FUNCTIONS)
    resources = catalog.Resources()
    assert functions.cpu_m == quantity_m(resources.cpu_request) + QUEUE_PROXY_CPU_M
    assert functions.memory_mi == quantity_mi(resources.memory_request)
    assert job.replicas == 1


def test_docs_show_this_arithmetic() -> None:
    assert table() in OPERATIONS.read_text(), (
        "docs/operations.md, Staging capacity: paste `python -m tests.infrastructure.test_capacity`"
    )


def test_docs_count_the_database_connections_at_full_scale() -> None:
    """docs/operations.md, Scale limits: every connection the catalog's functions can hold at
    max_scale, at the ConfigMap's pool of one."""
    render = script("render")
    assert render.BASE_CONFIG["DATABASE_POOL_MAX"] == "1"
    using = [f for f in catalog.FUNCTIONS if "database" in f.uses]
    http = [f for f in using if f.trigger == "http"]
    total = sum(f.scaling.max_scale * f.scaling.workers for f in using)
    text = OPERATIONS.read_text()
    assert f"| **total** | | **{total}** |" in text
    everyday = [f for f in http if (f.scaling.max_scale, f.scaling.workers) == (4, 2)]
    assert f"| {len(everyday)} HTTP functions | 4 × 2 = 8 each | {8 * len(everyday)} |" in text  # noqa: RUF001
    for function in http:
        if function not in everyday:  # each scaled otherwise has a row of its own
            scale, workers = function.scaling.max_scale, function.scaling.workers
            assert f"| `{function.name}` | {scale} × {workers} | {scale * workers} |" in text  # noqa: RUF001


if __name__ == "__main__":
    print(table(), end="")
    print(f"nodes needed: {nodes_needed((*PLATFORM, *revisions()))}")
