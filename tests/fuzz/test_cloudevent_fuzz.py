"""Hostile CloudEvents (binary, structured and batch mode) against the functions that take them.

Knative's delivery contract makes the oracle sharp: a 5xx means "retry", so an event
the runtime cannot parse must be a 400 (dropped), never a 500 redelivered for ever.
Only the handler raising on purpose may cost a 500.
"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from .hosting import FUNCTIONS, FUZZ_TIMEOUT, Hosted, check_example, fuzz_settings
from .strategies import binary_cloudevents, structured_cloudevents
from .wire import FuzzRequest

pytestmark = pytest.mark.timeout(FUZZ_TIMEOUT)

event_functions = st.sampled_from(sorted(name for name, env in FUNCTIONS.items() if not env["ROUTES"]))


@fuzz_settings
@given(name=event_functions, request=binary_cloudevents())
def test_binary_mode_events_are_delivered_or_refused_with_400(
    hosted: dict[str, Hosted], name: str, request: FuzzRequest
) -> None:
    check_example(hosted[name], request)


@fuzz_settings
@given(name=event_functions, request=structured_cloudevents())
def test_structured_and_batch_events_are_delivered_or_refused_with_400(
    hosted: dict[str, Hosted], name: str, request: FuzzRequest
) -> None:
    check_example(hosted[name], request)
