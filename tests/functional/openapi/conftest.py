"""The API fixtures (the in-process gateway, its client, fresh accounts) for the document's tests."""

from tests.functional.api.conftest import client, gateway, make_account

__all__ = ["client", "gateway", "make_account"]
