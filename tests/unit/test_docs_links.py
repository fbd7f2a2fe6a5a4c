"""The documentation stands on its own: every relative link in a Markdown file names a file
or folder of this repository, and none leads outside it (a clone has nothing beside it)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
_SKIPPED = {".git", ".venv", "node_modules", "dist", "test-results", ".devdata"}
_LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")


def _markdown_files() -> list[Path]:
    return sorted(path for path in REPO.rglob("*.md") if not _SKIPPED.intersection(path.relative_to(REPO).parts))


def _relative_links(path: Path) -> list[str]:
    links = []
    for target in _LINK.findall(path.read_text(encoding="utf-8")):
        if re.match(r"^[a-z][a-z0-9+.-]*:", target) or target.startswith("#"):
            continue  # a URL or an anchor in the same page
        links.append(target.split("#", 1)[0])
    return links


@pytest.mark.parametrize("document", _markdown_files(), ids=lambda path: str(path.relative_to(REPO)))
def test_every_relative_link_names_a_file_of_the_repository(document: Path) -> None:
    for link in _relative_links(document):
        target = (document.parent / link).resolve()
        assert target.is_relative_to(REPO), f"{link} in {document.name} leads outside the repository"
        assert target.exists(), f"{link} in {document.name} names nothing"


def test_the_documents_are_found() -> None:
    names = {path.relative_to(REPO).as_posix() for path in _markdown_files()}
    assert {"README.md", "docs/operations.md", "docs/security.md"} <= names
