"""Hostile HTTP/1.1 over real sockets against real runtime processes, one per event format.

Every example is written byte for byte on a fresh connection; the answer is held to
the oracle in hosting.py, then the process must still be live with the same worker.
"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from .hosting import FUNCTIONS, FUZZ_TIMEOUT, Hosted, check_example, fuzz_settings
from .strategies import byte_soup, hostile_headers, http_requests, lying_framings, oversized
from .wire import FuzzRequest

pytestmark = pytest.mark.timeout(FUZZ_TIMEOUT)

function_names = st.sampled_from(sorted(FUNCTIONS))


@fuzz_settings
@given(name=function_names, request=http_requests())
def test_any_request_gets_a_well_formed_answer_below_500(
    hosted: dict[str, Hosted], name: str, request: FuzzRequest
) -> None:
    check_example(hosted[name], request)


@fuzz_settings
@given(name=function_names, request=hostile_headers())
def test_hostile_header_fields_never_cost_a_5xx(hosted: dict[str, Hosted], name: str, request: FuzzRequest) -> None:
    # Invalid names and values, obs-fold, NUL, non-ASCII, repeats, and fields meant for the
    # server or a proxy it trusts (the fuzz, like a Knative queue-proxy, is on the loopback).
    check_example(hosted[name], request)


@fuzz_settings
@given(name=function_names, request=lying_framings())
def test_bodies_that_lie_about_their_length_never_cost_a_5xx(
    hosted: dict[str, Hosted], name: str, request: FuzzRequest
) -> None:
    check_example(hosted[name], request)


@fuzz_settings
@given(name=function_names, request=oversized())
def test_heads_and_bodies_past_the_limits_are_refused_as_4xx(
    hosted: dict[str, Hosted], name: str, request: FuzzRequest
) -> None:
    check_example(hosted[name], request)


@fuzz_settings
@given(name=function_names, request=byte_soup())
def test_arbitrary_bytes_never_cost_a_5xx(hosted: dict[str, Hosted], name: str, request: FuzzRequest) -> None:
    check_example(hosted[name], request)
