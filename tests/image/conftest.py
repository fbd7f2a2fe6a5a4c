"""The `image` marker: tests that run the built container image (TASKFORGE_IMAGE)."""

import pytest


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "image: runs the container image named by TASKFORGE_IMAGE with podman or docker (skipped without it)",
    )
