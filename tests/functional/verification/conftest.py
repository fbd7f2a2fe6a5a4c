"""The mailbox (what the functions e-mailed) beside the API fixtures every functional folder has."""

from tests.functional.api.conftest import mailbox  # noqa: F401
