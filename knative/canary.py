#!/usr/bin/env python3
"""Canary releases of TaskForge's Knative Services: split, promote or roll back traffic.

The rendered manifests never set `spec.traffic`, so `kubectl apply` leaves traffic to
this script (Knative's default, 100 % to the latest ready revision, holds until then):

    python knative/canary.py start --percent 10   # before applying a new release
    kubectl apply -f knative/rendered/production.yaml   # new revisions get 10 % once ready
    python knative/canary.py status
    python knative/canary.py promote              # 100 % to the latest revision
    python knative/canary.py rollback             # or 100 % back to the pinned one

`start` pins, per service, the revision that serves most of its traffic now under the tag
`stable` with 100 - N %, and gives N % to the latest ready revision under the tag
`candidate` (until the new revision is ready both are the same revision). Each tag gets
its own cluster-local address, listed by `status`, for testing one revision directly.
Services are those labelled app.kubernetes.io/part-of=taskforge in the namespace, or the
ones named on the command line. kubectl must point at the cluster (or pass --context).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from collections.abc import Sequence
from typing import Any

SELECTOR = "app.kubernetes.io/part-of=taskforge"
DEFAULT_PERCENT = 10
STABLE, CANDIDATE = "stable", "candidate"
# What this script asks of the cluster, as RBAC spells it (apiGroup, resource, verb): the deploy
# role's rules are checked against it (tests/infrastructure/test_rbac.py), and the tests check
# that every kubectl call below is covered.
CLUSTER_ACCESS = frozenset(
    {
        ("serving.knative.dev", "services", "get"),  # get ksvc <name>
        ("serving.knative.dev", "services", "list"),  # get ksvc --selector
        ("serving.knative.dev", "services", "patch"),  # patch ksvc <name>: spec.traffic
    }
)

Traffic = list[dict[str, Any]]


class CanaryError(Exception):
    pass


def serving_revision(service: dict[str, Any]) -> str:
    """The revision that serves most of the service's traffic now."""
    status = service.get("status", {})
    targets = [t for t in status.get("traffic", []) if t.get("revisionName")]
    if targets:
        return str(max(targets, key=lambda t: t.get("percent", 0))["revisionName"])
    if status.get("latestReadyRevisionName"):
        return str(status["latestReadyRevisionName"])
    raise CanaryError(f"{service['metadata']['name']}: no ready revision to keep serving")


def split(stable_revision: str, percent: int) -> Traffic:
    if not 0 < percent < 100:
        raise CanaryError(f"--percent must be between 1 and 99, not {percent}")
    return [
        {"revisionName": stable_revision, "percent": 100 - percent, "tag": STABLE},
        {"latestRevision": True, "percent": percent, "tag": CANDIDATE},
    ]


def promoted() -> Traffic:
    return [{"latestRevision": True, "percent": 100}]


def rolled_back(service: dict[str, Any]) -> Traffic:
    pinned = [t for t in service.get("spec", {}).get("traffic", []) if t.get("tag") == STABLE]
    if not pinned:
        raise CanaryError(f"{service['metadata']['name']}: no canary in progress (no '{STABLE}' revision)")
    return [{"revisionName": pinned[0]["revisionName"], "percent": 100, "tag": STABLE}]


def plan(command: str, services: Sequence[dict[str, Any]], percent: int = DEFAULT_PERCENT) -> list[tuple[str, Traffic]]:
    """(service, new spec.traffic) for each service; nothing is changed when any fails."""
    changes = []
    for service in services:
        if command == "start":
            traffic = split(serving_revision(service), percent)
        elif command == "promote":
            traffic = promoted()
        elif command == "rollback":
            traffic = rolled_back(service)
        else:
            raise CanaryError(f"unknown command {command!r}")
        changes.append((service["metadata"]["name"], traffic))
    return changes


def describe(service: dict[str, Any]) -> str:
    name = service["metadata"]["name"]
    targets = service.get("status", {}).get("traffic", [])
    parts = [
        f"{t.get('percent', 0)}% {t.get('revisionName', '?')}"
        + (f" [{t['tag']}] {t.get('url', '')}".rstrip() if t.get("tag") else "")
        for t in targets
    ]
    return f"{name}: " + ("; ".join(parts) or "no traffic yet")


class Kubectl:
    def __init__(self, namespace: str, context: str | None) -> None:
        self.base = [os.environ.get("KUBECTL", "kubectl"), "--namespace", namespace]
        if context:
            self.base += ["--context", context]

    def run(self, *args: str) -> str:
        result = subprocess.run([*self.base, *args], capture_output=True, text=True, check=False)
        if result.returncode != 0:
            raise CanaryError(f"kubectl {' '.join(args[:3])}: {result.stderr.strip() or result.returncode}")
        return result.stdout

    def services(self, names: Sequence[str]) -> list[dict[str, Any]]:
        if names:
            return [json.loads(self.run("get", "ksvc", name, "--output", "json")) for name in names]
        items: list[dict[str, Any]] = json.loads(self.run("get", "ksvc", "--selector", SELECTOR, "--output", "json"))[
            "items"
        ]
        return sorted(items, key=lambda item: str(item["metadata"]["name"]))

    def set_traffic(self, name: str, traffic: Traffic) -> None:
        self.run("patch", "ksvc", name, "--type", "merge", "--patch", json.dumps({"spec": {"traffic": traffic}}))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python knative/canary.py", description=__doc__.split("\n\n")[0])
    parser.add_argument("command", choices=["start", "promote", "rollback", "status"])
    parser.add_argument("services", nargs="*", help="Knative Services (default: every TaskForge service)")
    parser.add_argument(
        "--percent",
        type=int,
        default=int(os.environ.get("CANARY_PERCENT", DEFAULT_PERCENT)),
        help=f"start: the candidate's share (default $CANARY_PERCENT or {DEFAULT_PERCENT})",
    )
    parser.add_argument("--namespace", "-n", default=os.environ.get("NAMESPACE", "taskforge"))
    parser.add_argument("--context", help="the kubectl context (default: the current one)")
    args = parser.parse_args(argv)
    kubectl = Kubectl(args.namespace, args.context)
    try:
        services = kubectl.services(args.services)
        if args.command == "status":
            for service in services:
                print(describe(service))
            return 0
        for name, traffic in plan(args.command, services, args.percent):
            kubectl.set_traffic(name, traffic)
            print(f"{name}: " + ", ".join(f"{t['percent']}% {t.get('revisionName', 'latest')}" for t in traffic))
    except CanaryError as exc:
        print(f"canary: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
