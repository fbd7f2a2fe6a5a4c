"""knative/canary.py: pins the serving revision, splits, promotes and rolls back, through kubectl."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest

from .manifests import script

canary = script("canary")


def service(
    name: str,
    traffic: list[dict[str, Any]] | None = None,
    spec_traffic: list[dict[str, Any]] | None = None,
    latest: str | None = None,
) -> dict[str, Any]:
    status: dict[str, Any] = {"traffic": traffic or []}
    if latest:
        status["latestReadyRevisionName"] = latest
    return {"metadata": {"name": name}, "spec": {"traffic": spec_traffic or []}, "status": status}


def test_start_pins_the_revision_serving_most_traffic_and_gives_the_rest_to_the_latest() -> None:
    svc = service(
        "get-task",
        traffic=[{"revisionName": "get-task-00003", "percent": 80}, {"revisionName": "get-task-00004", "percent": 20}],
    )
    assert canary.plan("start", [svc], percent=10) == [
        (
            "get-task",
            [
                {"revisionName": "get-task-00003", "percent": 90, "tag": "stable"},
                {"latestRevision": True, "percent": 10, "tag": "candidate"},
            ],
        )
    ]


def test_start_falls_back_to_the_latest_ready_revision() -> None:
    (change,) = canary.plan("start", [service("get-me", latest="get-me-00001")], percent=25)
    assert change[1][0] == {"revisionName": "get-me-00001", "percent": 75, "tag": "stable"}


@pytest.mark.parametrize("percent", [0, 100, -5, 150])
def test_start_refuses_a_split_that_is_no_split(percent: int) -> None:
    with pytest.raises(canary.CanaryError):
        canary.plan("start", [service("get-me", latest="get-me-00001")], percent=percent)


def test_start_refuses_a_service_with_no_ready_revision() -> None:
    with pytest.raises(canary.CanaryError, match="no ready revision"):
        canary.plan("start", [service("get-me")], percent=10)


def test_promote_sends_everything_to_the_latest_revision() -> None:
    assert canary.plan("promote", [service("a"), service("b")]) == [
        ("a", [{"latestRevision": True, "percent": 100}]),
        ("b", [{"latestRevision": True, "percent": 100}]),
    ]


def test_rollback_returns_everything_to_the_pinned_revision() -> None:
    svc = service(
        "a",
        spec_traffic=[
            {"revisionName": "a-00007", "percent": 90, "tag": "stable"},
            {"latestRevision": True, "percent": 10, "tag": "candidate"},
        ],
    )
    assert canary.plan("rollback", [svc]) == [("a", [{"revisionName": "a-00007", "percent": 100, "tag": "stable"}])]


def test_rollback_without_a_canary_changes_nothing() -> None:
    with pytest.raises(canary.CanaryError, match="no canary in progress"):
        canary.plan("rollback", [service("a"), service("b")])


def fake_kubectl(tmp_path: Path, services: list[dict[str, Any]]) -> tuple[Path, Path]:
    log = tmp_path / "calls.jsonl"
    (tmp_path / "services.json").write_text(json.dumps({"items": services}))
    program = tmp_path / "kubectl"
    program.write_text(f"""#!{sys.executable}
import json, sys
args = sys.argv[1:]
with open({str(log)!r}, "a") as log:
    log.write(json.dumps(args) + "\\n")
if "get" in args:
    print(open({str(tmp_path / "services.json")!r}).read())
""")
    program.chmod(0o755)
    return program, log


def test_start_patches_every_taskforge_service_in_the_namespace(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given two services, each serving one revision
    program, log = fake_kubectl(
        tmp_path,
        [
            service("list-tasks", traffic=[{"revisionName": "list-tasks-00002", "percent": 100}]),
            service("get-task", traffic=[{"revisionName": "get-task-00005", "percent": 100}]),
        ],
    )
    monkeypatch.setenv("KUBECTL", str(program))

    # When a canary starts at 20 %
    assert canary.main(["start", "--percent", "20", "--namespace", "taskforge-prod", "--context", "prod"]) == 0

    # Then kubectl listed the services by label and patched each one's traffic
    calls = [json.loads(line) for line in log.read_text().splitlines()]
    assert calls[0] == [
        "--namespace",
        "taskforge-prod",
        "--context",
        "prod",
        "get",
        "ksvc",
        "--selector",
        "app.kubernetes.io/part-of=taskforge",
        "--output",
        "json",
    ]
    patches = {call[6]: json.loads(call[-1]) for call in calls[1:]}
    assert [call[4:6] for call in calls[1:]] == [["patch", "ksvc"], ["patch", "ksvc"]]
    assert patches["get-task"] == {
        "spec": {
            "traffic": [
                {"revisionName": "get-task-00005", "percent": 80, "tag": "stable"},
                {"latestRevision": True, "percent": 20, "tag": "candidate"},
            ]
        }
    }
    assert set(patches) == {"get-task", "list-tasks"}


def test_a_failing_kubectl_is_reported_and_fails_the_command(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    program = tmp_path / "kubectl"
    program.write_text(f"#!{sys.executable}\nimport sys\nprint('forbidden', file=sys.stderr)\nsys.exit(1)\n")
    program.chmod(0o755)
    monkeypatch.setenv("KUBECTL", str(program))
    assert canary.main(["promote"]) == 1
    assert "forbidden" in capsys.readouterr().err


def test_status_shows_each_split_with_the_tags_addresses() -> None:
    svc = service(
        "get-task",
        traffic=[
            {
                "revisionName": "get-task-00003",
                "percent": 90,
                "tag": "stable",
                "url": "http://stable-get-task.taskforge.svc.cluster.local",
            },
            {
                "revisionName": "get-task-00004",
                "percent": 10,
                "tag": "candidate",
                "url": "http://candidate-get-task.taskforge.svc.cluster.local",
            },
        ],
    )
    assert canary.describe(svc) == (
        "get-task: 90% get-task-00003 [stable] http://stable-get-task.taskforge.svc.cluster.local; "
        "10% get-task-00004 [candidate] http://candidate-get-task.taskforge.svc.cluster.local"
    )
    assert canary.describe(service("new")) == "new: no traffic yet"


def test_every_kubectl_call_is_within_the_access_it_declares(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # CLUSTER_ACCESS is what the deployer's rules are checked against (test_rbac.py)
    program, log = fake_kubectl(
        tmp_path,
        [
            service(
                "get-task",
                traffic=[{"revisionName": "get-task-00005", "percent": 100}],
                spec_traffic=[{"revisionName": "get-task-00005", "percent": 90, "tag": "stable"}],
            )
        ],
    )
    monkeypatch.setenv("KUBECTL", str(program))
    for command in (["start"], ["status"], ["promote"], ["rollback"]):
        assert canary.main(command) == 0
    used = set()
    for call in (json.loads(line)[2:] for line in log.read_text().splitlines()):
        verb, kind = call[0], call[1]
        assert kind == "ksvc", call
        used.add(("serving.knative.dev", "services", "list" if verb == "get" and "--selector" in call else verb))
    assert used <= canary.CLUSTER_ACCESS
    assert {verb for _, _, verb in used} == {"list", "patch"}  # `get ksvc <name>` is the named form's get
