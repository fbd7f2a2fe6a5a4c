"""Fixtures for the login-limit tests: the in-process API (tests/functional/conftest.py)
and login functions as real runtime processes (tests/functional/robustness/conftest.py)."""

from tests.functional.robustness.conftest import REPLICAS, start_runtime

__all__ = ["REPLICAS", "start_runtime"]
