"""The layers of functions/ are checked, not hoped: `.importlinter` holds, covers every
handler package, and fails when an import crosses a layer the wrong way."""

from __future__ import annotations

import configparser
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def _lint_imports(root: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"], cwd=root, capture_output=True, text=True, timeout=120, check=False
    )


def _contracts() -> configparser.ConfigParser:
    parser = configparser.ConfigParser()
    parser.read(REPO_ROOT / ".importlinter")
    return parser


def _listed(section: str, option: str) -> set[str]:
    return set(_contracts()[f"importlinter:contract:{section}"][option].split())


def _handler_packages() -> set[str]:
    from functions.catalog import FUNCTIONS

    return {function.module.rpartition(".")[0] for function in FUNCTIONS}


def test_the_contracts_hold() -> None:
    result = _lint_imports(REPO_ROOT)

    assert result.returncode == 0, result.stdout + result.stderr
    assert " 0 broken" in result.stdout


def test_every_handler_package_is_protected_and_kept_from_the_lower_layers() -> None:
    handlers = _handler_packages()

    assert handlers, "no handler packages found"
    assert handlers <= _listed("handlers", "protected_modules")
    assert handlers <= _listed("runtime", "forbidden_modules")
    assert handlers <= _listed("platform", "forbidden_modules")
    layers = _contracts()["importlinter:contract:layers"]["layers"].replace("|", " ").split()
    assert handlers <= set(layers)


@pytest.mark.parametrize(
    ("module", "violation", "contract"),
    [
        ("functions/platform/db.py", "from functions.domain.tasks import tasks", "knows nothing of the product"),
        ("functions/runtime/routes.py", "from functions import catalog", "imports nothing else of functions"),
        ("functions/domain/tags/tags.py", "from functions.tasks import list_tasks", "nothing imports them"),
    ],
)
def test_a_deliberate_violation_breaks_its_contract(tmp_path: Path, module: str, violation: str, contract: str) -> None:
    for name in ("functions", "tools"):
        shutil.copytree(REPO_ROOT / name, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__", "*.json"))
    shutil.copy(REPO_ROOT / ".importlinter", tmp_path / ".importlinter")
    target = tmp_path / module
    target.write_text(target.read_text() + f"\n{violation}  # noqa\n")

    result = _lint_imports(tmp_path)

    assert result.returncode != 0
    broken = [line for line in result.stdout.splitlines() if line.endswith("BROKEN")]
    assert any(contract in line for line in result.stdout.splitlines()), result.stdout
    assert broken, result.stdout
