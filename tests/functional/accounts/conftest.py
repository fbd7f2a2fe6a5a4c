"""The mailbox (what the functions e-mailed) beside the API fixtures every functional folder
has, and functions as real runtime processes (tests/functional/robustness/conftest.py)."""

from tests.functional.api.conftest import mailbox  # noqa: F401
from tests.functional.robustness.conftest import start_runtime  # noqa: F401
