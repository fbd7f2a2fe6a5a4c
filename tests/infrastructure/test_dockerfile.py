"""The Dockerfile: one image, base image as an argument, a final stage with the runtime's
dependencies and functions/ only, run as a fixed non-root UID, with nothing to build with."""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass, field

import pytest

from .manifests import ROOT


@dataclass
class Stage:
    base: str
    name: str | None
    instructions: list[tuple[str, str]] = field(default_factory=list)

    def all(self, keyword: str) -> list[str]:
        return [argument for instruction, argument in self.instructions if instruction == keyword]


def parse(text: str) -> tuple[list[tuple[str, str]], list[Stage]]:
    """(instructions before the first FROM, stages): continuation lines joined, comments dropped."""
    logical, current = [], ""
    for line in text.splitlines():
        if not current and (not line.strip() or line.lstrip().startswith("#")):
            continue
        if line.rstrip().endswith("\\"):
            current += line.rstrip()[:-1] + " "
            continue
        logical.append(current + line)
        current = ""
    preamble: list[tuple[str, str]] = []
    stages: list[Stage] = []
    for line in logical:
        keyword, _, argument = line.strip().partition(" ")
        keyword, argument = keyword.upper(), argument.strip()
        if keyword == "FROM":
            words = argument.split()
            stages.append(Stage(base=words[0], name=words[2] if len(words) > 2 else None))
        elif stages:
            stages[-1].instructions.append((keyword, argument))
        else:
            preamble.append((keyword, argument))
    return preamble, stages


PREAMBLE, STAGES = parse((ROOT / "Dockerfile").read_text())
FINAL = STAGES[-1]


def test_the_base_image_is_a_build_argument() -> None:
    assert ("ARG", "BASE_IMAGE=python:3.12-slim") in PREAMBLE
    for stage in STAGES:
        assert stage.base == "${BASE_IMAGE}"


def test_the_build_has_a_build_stage_and_a_final_stage() -> None:
    assert len(STAGES) >= 2
    assert STAGES[0].name


def test_the_final_stage_runs_as_a_fixed_non_root_uid() -> None:
    users = FINAL.all("USER")
    assert users, "no USER in the final stage"
    uid, _, gid = users[-1].partition(":")
    assert uid.isdigit()
    assert int(uid) > 0
    assert not gid or (gid.isdigit() and int(gid) > 0)


def test_the_final_stage_installs_nothing_and_removes_pip() -> None:
    runs = " ".join(FINAL.all("RUN"))
    assert not re.search(r"pip3?\s+install|-m\s+pip\s+install|apt-get\s+install|apk\s+add", runs)
    assert not re.search(r"\b(gcc|g\+\+|cc|clang|build-essential|make)\b", runs)
    assert re.search(r"pip uninstall --yes pip", runs)


def test_the_final_stage_copies_the_built_environment_and_code_only() -> None:
    copies = FINAL.all("COPY")
    assert copies
    for copy in copies:
        assert copy.startswith(f"--from={STAGES[0].name} "), f"COPY {copy} takes from the build context"


def test_only_runtime_dependencies_and_functions_come_from_the_build_context() -> None:
    sources = []
    for stage in STAGES:
        for copy in stage.all("COPY") + stage.all("ADD"):
            words = [word for word in shlex.split(copy) if not word.startswith("--")]
            if not copy.startswith("--from="):
                sources += words[:-1]
    assert sorted(sources) == ["functions/", "requirements.txt"]
    assert "requirements-dev" not in (ROOT / "Dockerfile").read_text()


def test_no_bytecode_is_written_at_run_time_and_it_is_compiled_at_build_time() -> None:
    assert re.search(r"PYTHONDONTWRITEBYTECODE=1", " ".join(FINAL.all("ENV")))
    assert any("compileall" in run for run in STAGES[0].all("RUN"))


def test_the_command_is_the_runtime() -> None:
    assert FINAL.all("CMD") == ['["python", "-m", "functions.runtime"]']


# --- .dockerignore ---------------------------------------------------------------------------


def ignore_rules() -> list[tuple[bool, re.Pattern[str]]]:
    rules = []
    for raw in (ROOT / ".dockerignore").read_text().splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        negate = line.startswith("!")
        pattern = line.lstrip("!").strip("/")
        regex = re.escape(pattern).replace(r"\*\*/", "(.*/)?").replace(r"\*\*", ".*").replace(r"\*", "[^/]*")
        rules.append((negate, re.compile(regex.replace(r"\?", "[^/]"))))
    return rules


def ignored(path: str) -> bool:
    """Docker's rule: the last pattern matching the path, or one of its parent folders, decides."""
    parts = path.split("/")
    candidates = ["/".join(parts[:index]) for index in range(1, len(parts) + 1)]
    decision = False
    for negate, pattern in ignore_rules():
        if any(pattern.fullmatch(candidate) for candidate in candidates):
            decision = not negate
    return decision


@pytest.mark.parametrize(
    "path",
    [
        "requirements.txt",
        "functions/runtime/app.py",
        "functions/catalog.py",
        "functions/platform/migrations/0001_baseline.sql",
    ],
)
def test_the_build_context_holds_what_the_image_needs(path: str) -> None:
    assert not ignored(path)


@pytest.mark.parametrize(
    "path",
    [
        "tests/conftest.py",
        "web/dist/index.html",
        "benchmarks/runtime.py",
        "requirements-dev.txt",
        ".venv/bin/python",
        ".git/HEAD",
        ".devdata/pg/PG_VERSION",
        "knative/render.py",
        "cdk/app.py",
        "Makefile",
        "functions/runtime/__pycache__/app.cpython-312.pyc",
    ],
)
def test_the_build_context_leaves_out_everything_else(path: str) -> None:
    assert ignored(path)
