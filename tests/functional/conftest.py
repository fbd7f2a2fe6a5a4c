"""The API fixtures (tests/functional/api/conftest.py) for every functional test folder."""

from tests.functional.api.conftest import client, gateway, make_account, relay  # noqa: F401
