#!/usr/bin/env python3
"""The cluster's part of a deploy, as the in-VPC deployer (cdk/components/deployer.py) runs it.

The cluster's API endpoint is private, so .github/workflows/deploy.yml starts a CodeBuild build
in the cluster's VPC, and the build runs this script from the commit's source:

    python scripts/deploy/cluster.py deploy     # render, migrate, (split), apply, wait, (candidate smoke)
    python scripts/deploy/cluster.py promote    # 100 % to the new revisions
    python scripts/deploy/cluster.py rollback   # 100 % back to the revisions pinned at the split

Settings come from the environment (the build's variables, set by the stack and by start-build):
DEPLOY_ENV (staging | production), IMAGE (<repository>@<digest>), NAMESPACE (default taskforge),
CANARY_PERCENT (0, the default, applies without a split; production passes 10), CLUSTER_NAME (when
set, kubectl is pointed at that cluster first), and the TASKFORGE_<ENV>_<FIELD> values that
knative/render.py reads, as `cdk deploy` got them. Every step prints what it does; the first one
that fails stops the script with one line saying which.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
MIGRATION_JOB = "taskforge-migrate"
SELECTOR = "app.kubernetes.io/part-of=taskforge"
MIGRATION_POLLS, POLL_SECONDS = 130, 5.0  # the Job's activeDeadlineSeconds (600) bounds it sooner
# What this script asks of the cluster besides applying the rendered manifests (those are derived
# from the manifests themselves), as RBAC spells it; tests/infrastructure/test_rbac.py checks the
# deployer's rules against it, and test_deploy_cluster.py that every kubectl call is covered.
KUBECTL_ACCESS = frozenset(
    {
        # delete job --wait: the delete, then a watch until it is gone
        ("batch", "jobs", "delete"),
        ("batch", "jobs", "get"),
        ("batch", "jobs", "list"),
        ("batch", "jobs", "watch"),
        # logs job/<name>: the Job, its pods, their logs
        ("", "pods", "list"),
        ("", "pods/log", "get"),
        # wait ksvc -l … --for=condition=Ready
        ("serving.knative.dev", "services", "get"),
        ("serving.knative.dev", "services", "list"),
        ("serving.knative.dev", "services", "watch"),
        # run --rm -i: the candidate smoke pod, created, watched until running, attached to, deleted
        ("", "pods", "create"),
        ("", "pods", "get"),
        ("", "pods", "watch"),
        ("", "pods", "delete"),
        ("", "pods/attach", "create"),
        ("", "pods/attach", "get"),
    }
)


class DeployError(Exception):
    pass


class Cluster:
    def __init__(self, namespace: str) -> None:
        self.kubectl = [os.environ.get("KUBECTL", "kubectl"), "--namespace", namespace]
        self.namespace = namespace

    def run(self, *args: str, check: bool = True) -> str:
        print("+ kubectl " + " ".join(args[:6]), flush=True)
        result = subprocess.run([*self.kubectl, *args], capture_output=True, text=True, check=False)
        if result.stdout.strip():
            print(result.stdout.rstrip(), flush=True)
        if check and result.returncode != 0:
            raise DeployError(f"kubectl {' '.join(args[:3])}: {result.stderr.strip() or result.returncode}")
        return result.stdout

    def apply(self, manifests: Path, selector: str) -> None:
        self.run("apply", "--filename", str(manifests), "--selector", selector)

    def migrate(self, manifests: Path) -> None:
        """Configuration, then a fresh migration Job (Jobs are immutable), then wait for its end."""
        self.apply(manifests, "app.kubernetes.io/component=config")
        self.run("delete", "job", MIGRATION_JOB, "--ignore-not-found", "--wait")
        self.apply(manifests, "app.kubernetes.io/component=migration")
        for _ in range(MIGRATION_POLLS):
            conditions = self.run(
                "get",
                "job",
                MIGRATION_JOB,
                "--output",
                'jsonpath={range .status.conditions[?(@.status=="True")]}{.type}{" "}{end}',
            ).split()
            if "Complete" in conditions:
                self.run("logs", f"job/{MIGRATION_JOB}", "--tail=50", check=False)
                return
            if "Failed" in conditions:
                self.run("logs", f"job/{MIGRATION_JOB}", "--tail=200", check=False)
                raise DeployError("the migration Job failed")
            time.sleep(POLL_SECONDS)
        raise DeployError("the migration Job did not finish")

    def deploy_services(self, manifests: Path) -> None:
        self.apply(manifests, "app.kubernetes.io/component!=migration")
        self.run("wait", "ksvc", "--selector", SELECTOR, "--for=condition=Ready", "--timeout=600s")

    def smoke_candidate(self, image: str) -> None:
        """A one-off pod of the new image asks the candidates' cluster-local tag addresses."""
        pod = f"taskforge-smoke-{int(time.time())}"
        self.run(
            "run",
            pod,
            f"--image={image}",
            "--restart=Never",
            "--rm",
            "-i",
            "--quiet",
            "--pod-running-timeout=3m",
            f"--overrides={json.dumps(smoke_pod(pod, image, self.namespace))}",
        )


def smoke_pod(pod: str, image: str, namespace: str) -> dict[str, object]:
    script = (
        "import sys, urllib.request\n"
        "for url in sys.argv[1:]:\n"
        "    with urllib.request.urlopen(url, timeout=10) as response:\n"
        "        print(url, response.status)\n"
    )
    base = f"{namespace}.svc.cluster.local"
    urls = [f"http://candidate-get-health.{base}/health", f"http://candidate-get-ready.{base}/ready"]
    locked = {
        "runAsNonRoot": True,
        "runAsUser": 10001,
        "runAsGroup": 10001,
        "seccompProfile": {"type": "RuntimeDefault"},
    }
    return {
        "apiVersion": "v1",
        "metadata": {"annotations": {"sidecar.istio.io/inject": "false"}},
        "spec": {
            "automountServiceAccountToken": False,
            "securityContext": locked,
            "containers": [
                {
                    "name": pod,
                    "image": image,
                    "command": ["python", "-c", script, *urls],
                    "securityContext": {
                        **locked,
                        "allowPrivilegeEscalation": False,
                        "readOnlyRootFilesystem": True,
                        "capabilities": {"drop": ["ALL"]},
                    },
                    "resources": {
                        "requests": {"cpu": "50m", "memory": "64Mi"},
                        "limits": {"cpu": "200m", "memory": "128Mi"},
                    },
                }
            ],
        },
    }


def render(environment: str, image: str, into: Path) -> Path:
    """knative/render.py, with the TASKFORGE_<ENV>_<FIELD> values the stack was deployed with."""
    print(f"+ render {environment} {image}", flush=True)
    result = subprocess.run(
        [sys.executable, str(ROOT / "knative" / "render.py"), "--print", environment, "--image", image],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
    )
    if result.returncode != 0:
        raise DeployError(f"render.py: {result.stderr.strip() or result.returncode}")
    manifests = into / "manifests.yaml"
    manifests.write_text(result.stdout)
    return manifests


def canary(command: str, namespace: str, *extra: str) -> None:
    print(f"+ canary {command}", flush=True)
    result = subprocess.run(
        [sys.executable, str(ROOT / "knative" / "canary.py"), command, "--namespace", namespace, *extra], check=False
    )
    if result.returncode != 0:
        raise DeployError(f"canary.py {command} failed")


def point_kubectl_at(cluster_name: str) -> None:
    result = subprocess.run(["aws", "eks", "update-kubeconfig", "--name", cluster_name], check=False)
    if result.returncode != 0:
        raise DeployError(f"aws eks update-kubeconfig --name {cluster_name} failed")


def setting(environ: Mapping[str, str], name: str) -> str:
    value = environ.get(name, "").strip()
    if not value:
        raise DeployError(f"{name} is not set")
    return value


def run(phase: str, environ: Mapping[str, str]) -> None:
    namespace = environ.get("NAMESPACE", "taskforge") or "taskforge"
    if environ.get("CLUSTER_NAME"):
        point_kubectl_at(environ["CLUSTER_NAME"])
    if phase in ("promote", "rollback"):
        canary(phase, namespace)
        canary("status", namespace)
        return
    environment, image = setting(environ, "DEPLOY_ENV"), setting(environ, "IMAGE")
    if "@sha256:" not in image:
        raise DeployError(f"IMAGE must be <repository>@sha256:<digest>, not {image!r}")
    percent = int(environ.get("CANARY_PERCENT", "0") or "0")
    cluster = Cluster(namespace)
    with tempfile.TemporaryDirectory() as directory:
        manifests = render(environment, image, Path(directory))
        cluster.migrate(manifests)
        if percent:
            canary("start", namespace, "--percent", str(percent))
        cluster.deploy_services(manifests)
        if percent:
            canary("status", namespace)
            cluster.smoke_candidate(image)


def main(argv: Sequence[str] | None = None, environ: Mapping[str, str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if len(args) != 1 or args[0] not in ("deploy", "promote", "rollback"):
        print("usage: cluster.py deploy|promote|rollback", file=sys.stderr)
        return 2
    try:
        run(args[0], os.environ if environ is None else environ)
    except DeployError as error:
        print(f"deploy: {args[0]}: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
