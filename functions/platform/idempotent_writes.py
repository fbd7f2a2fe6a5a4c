"""Idempotency-Key for POSTs: a retry with the same key and body gets the first response.

Powertools Idempotency does the bookkeeping, with its records in PostgreSQL (see
idempotency.py). The key is scoped to the caller, the body is the payload that must
match, and the runtime's deadline bounds how long a crashed request holds the key.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from aws_lambda_powertools.utilities.idempotency import IdempotencyConfig, idempotent_function
from aws_lambda_powertools.utilities.idempotency.exceptions import (
    IdempotencyAlreadyInProgressError,
    IdempotencyPersistenceLayerError,
    IdempotencyValidationError,
)

from functions.platform.errors import BadRequest, Conflict, ServiceUnavailable, Unprocessable
from functions.platform.idempotency import PostgresPersistenceLayer

RECORD_LIFETIME_SECONDS = 24 * 3600

StoredResponse = dict[str, Any]  # {"status": int, "headers": {...}, "body": <JSON>}


def run_once(
    persistence: PostgresPersistenceLayer,
    operation: str,
    context: Any,
    user_id: str,
    key: str | None,
    body: Any,
    work: Callable[[], StoredResponse],
) -> StoredResponse:
    """work() once per (operation, caller, key); a retry gets the stored response."""
    if key is None:
        return work()
    if not 1 <= len(key) <= 255 or not key.isprintable():
        raise BadRequest("Idempotency-Key must be 1 to 255 printable characters")
    config = IdempotencyConfig(
        event_key_jmespath="[user, key]",
        payload_validation_jmespath="body",
        expires_after_seconds=RECORD_LIFETIME_SECONDS,
    )
    config.register_lambda_context(context)

    @idempotent_function(
        data_keyword_argument="request", persistence_store=persistence, config=config, key_prefix=operation
    )
    def once(request: dict[str, Any]) -> StoredResponse:
        return work()

    try:
        result: StoredResponse = once(request={"user": user_id, "key": key, "body": body})
    except IdempotencyValidationError:
        raise Unprocessable("this Idempotency-Key was already used with a different body") from None
    except IdempotencyAlreadyInProgressError:
        raise Conflict("a request with this Idempotency-Key is still in progress; retry shortly") from None
    except IdempotencyPersistenceLayerError:
        # Powertools wraps whatever the store raised; the store is PostgreSQL.
        raise ServiceUnavailable() from None
    return result
