"""`make help` (and bare `make`) lists every target meant for people, each with the text of its
`## name: text` comment, in one aligned column, and lists nothing that is not a target."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
MAKEFILE = ROOT / "Makefile"

pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")


def phony_targets() -> list[str]:
    found = re.search(r"^\.PHONY:(.*)$", MAKEFILE.read_text(), re.MULTILINE)
    assert found is not None, "the Makefile declares its phony targets"
    return found.group(1).split()


def documented() -> dict[str, str]:
    """target -> its `## target: text`, from the Makefile itself."""
    return dict(re.findall(r"^## ([\w-]+): (.+)$", MAKEFILE.read_text(), re.MULTILINE))


def make(*arguments: str) -> str:
    # Under `make test` the outer make's flags would reach this one through the environment.
    environment = {
        name: value
        for name, value in os.environ.items()
        if name not in {"MAKEFLAGS", "MFLAGS", "MAKELEVEL", "MAKEOVERRIDES"}
    }
    result = subprocess.run(
        ["make", "--no-print-directory", "-C", str(ROOT), *arguments],
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
        env=environment,
    )
    return result.stdout


def listed(output: str) -> dict[str, tuple[str, int]]:
    """target -> (text, the column its text starts at), from the help's indented lines."""
    entries = {}
    for line in output.splitlines():
        found = re.fullmatch(r"  ([\w-]+)( +)(.+)", line)
        if found:
            entries[found.group(1)] = (found.group(3), found.start(3))
    return entries


def test_every_phony_target_has_a_comment() -> None:
    missing = [target for target in phony_targets() if target not in documented()]
    assert missing == []


def test_help_lists_each_target_with_its_text() -> None:
    entries = listed(make("help"))
    for target in phony_targets():
        assert target in entries, f"`make help` does not list {target}"
        assert entries[target][0] == documented()[target]


def test_help_lists_only_targets() -> None:
    assert sorted(listed(make("help"))) == sorted(phony_targets())


def test_texts_start_in_one_column() -> None:
    columns = {column for _, column in listed(make("help")).values()}
    longest = max(len(target) for target in phony_targets())
    assert columns == {2 + longest + 2}


def test_bare_make_prints_the_help() -> None:
    assert make() == make("help")
