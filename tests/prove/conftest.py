"""Resilience proofs: real processes under load while a dependency or the process itself fails.

Each test starts what it breaks (its own stack, embedded database or runtime process) and
runs in well under two minutes; `-m "not prove"` leaves them out of a quick run.
"""

from __future__ import annotations

import pytest


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "prove: slow resilience proofs that start, load and break real processes")
