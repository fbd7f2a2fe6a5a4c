"""The API fixtures (tests/functional/api/conftest.py) for every functional test folder."""

from tests.functional.api.conftest import client, gateway, local_broker, make_account, relay  # noqa: F401
