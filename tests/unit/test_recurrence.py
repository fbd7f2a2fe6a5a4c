"""Recurrence rules: what is refused when saved (and why), and that every walk over a rule is
bounded yet finds the occurrences dateutil finds."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from dateutil.rrule import rrulestr
from hypothesis import given, settings
from hypothesis import strategies as st

from functions.domain.tasks import recurrence
from functions.platform.errors import Unprocessable

START = datetime(2026, 1, 31, 9, 0)


@pytest.mark.parametrize(
    ("rule", "reason"),
    [
        ("FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30", "never occurs"),
        ("FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30", "never occurs"),
        ("FREQ=MONTHLY;BYMONTH=4;BYMONTHDAY=31", "never occurs"),
        ("FREQ=DAILY;INTERVAL=7;BYDAY=TU", "never occurs"),  # every 7th day from a Saturday
        ("FREQ=MONTHLY;BYMONTHDAY=1;BYDAY=5MO", "never occurs"),
        ("FREQ=DAILY;UNTIL=20250101T000000Z", "never occurs"),  # ends before the due date
        ("FREQ=DAILY;UNTIL=garbageZ", "UNTIL"),
        ("FREQ=DAILY;UNTIL=2026\x0001T000000Z", "UNTIL"),
        ("FREQ=DAILY;UNTIL=20261332T000000Z", "UNTIL"),
        ("FREQ=DAILY;UNTIL=99991231T235959Z", "UNTIL"),
        ("FREQ=DAILY;UNTIL=00010101", "UNTIL"),
        ("FREQ=DAILY;BYSETPOS=0", "BYSETPOS"),
        ("FREQ=MONTHLY;BYSETPOS=367;BYDAY=MO", "BYSETPOS"),
        ("FREQ=MONTHLY;BYMONTHDAY=0", "BYMONTHDAY"),
        ("FREQ=MONTHLY;BYMONTHDAY=32", "BYMONTHDAY"),
        ("FREQ=MONTHLY;BYMONTHDAY=99999999999999999999", "BYMONTHDAY"),
        ("FREQ=MONTHLY;BYMONTHDAY=1,,2", "BYMONTHDAY"),
        ("FREQ=YEARLY;BYMONTH=13", "BYMONTH"),
        ("FREQ=YEARLY;BYMONTH=-1", "BYMONTH"),
        ("FREQ=MONTHLY;BYDAY=6MO", "BYDAY"),
        ("FREQ=WEEKLY;BYDAY=1MO", "BYDAY"),
        ("FREQ=WEEKLY;BYDAY=XX", "BYDAY"),
        ("FREQ=WEEKLY;WKST=XX", "WKST"),
        ("FREQ=DAILY;INTERVAL=0", "INTERVAL"),
        ("FREQ=DAILY;INTERVAL=²", "INTERVAL"),
        ("FREQ=DAILY;INTERVAL=99999999999999999999", "INTERVAL"),
        ("FREQ=DAILY;COUNT=1001", "COUNT"),
        ("FREQ=DAILY;COUNT=5;UNTIL=20270101T000000Z", "COUNT or UNTIL"),
        ("FREQ=HOURLY", "FREQ"),
        ("FREQ=DAILY;BYHOUR=9", "not supported"),
        ("FREQ=DAILY;FREQ=WEEKLY", "twice"),
        ("nonsense", "KEY=VALUE"),
    ],
)
def test_an_unusable_rule_is_refused_with_the_reason(rule, reason):
    with pytest.raises(Unprocessable, match=reason):
        recurrence.normalise(rule, "Europe/Berlin", START)


@pytest.mark.parametrize(
    ("rule", "first_two"),
    [
        ("FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29", ["2028-02-29", "2032-02-29"]),
        ("FREQ=MONTHLY;BYMONTHDAY=31", ["2026-03-31", "2026-05-31"]),
        ("FREQ=DAILY;BYMONTH=2;BYMONTHDAY=29", ["2028-02-29", "2032-02-29"]),
        ("FREQ=MONTHLY;BYDAY=-1FR", ["2026-02-27", "2026-03-27"]),
        ("FREQ=MONTHLY;BYSETPOS=-1;BYDAY=MO,TU,WE,TH,FR", ["2026-02-27", "2026-03-31"]),
        ("FREQ=YEARLY;INTERVAL=366", ["2392-01-31", "2758-01-31"]),  # far apart, yet found
        ("FREQ=DAILY;BYMONTH=2;BYMONTHDAY=29;BYDAY=FR", ["2036-02-29", "2064-02-29"]),
        ("FREQ=DAILY;UNTIL=20260202", ["2026-02-01", None]),
    ],
)
def test_a_sparse_but_possible_rule_is_kept_and_followed(rule, first_two):
    text = recurrence.normalise(rule, "Europe/Berlin", START)
    seen, current = [], START
    for _ in first_two:
        following = recurrence.next_after(text, "Europe/Berlin", START, current)
        seen.append(following.date().isoformat() if following else None)
        current = following or current
    assert seen == first_two


def test_the_canonical_form_is_upper_case_without_the_prefix():
    assert recurrence.normalise("RRULE:freq=weekly; byday=mo,we", "UTC", START) == "FREQ=WEEKLY;BYDAY=MO,WE"


@pytest.mark.parametrize(
    "rule",
    [
        "FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30",
        "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30",
        "FREQ=WEEKLY;BYMONTH=4;BYMONTHDAY=31",
        "FREQ=MONTHLY;BYDAY=5MO;BYMONTHDAY=1",
    ],
)
def test_a_stored_rule_that_never_occurs_ends_its_series(rule, monkeypatch):
    # Written before rules were checked: no occurrence follows, and the walk stops at its bound
    # in periods (the time bound, which a busy machine can reach first, is the test below's).
    monkeypatch.setattr(recurrence, "MAX_SECONDS", 600.0)
    assert recurrence.next_after(rule, "UTC", START, START) is None


def test_a_series_ends_rather_than_leave_the_range_of_instants():
    late = datetime(8990, 6, 1, 9, 0)
    assert recurrence.next_after("FREQ=YEARLY;INTERVAL=20", "UTC", late, late) is None
    assert recurrence.next_after("FREQ=YEARLY", "UTC", late, late) == datetime(8991, 6, 1, 9, 0)


def test_a_walk_gives_up_at_its_bound_in_periods(monkeypatch):
    monkeypatch.setattr(recurrence, "MAX_PERIODS", 10)
    assert recurrence.next_after("FREQ=DAILY;BYMONTHDAY=15", "UTC", START, START) is None  # 15 days in
    monkeypatch.setattr(recurrence, "MAX_PERIODS", 20)
    assert recurrence.next_after("FREQ=DAILY;BYMONTHDAY=15", "UTC", START, START) == datetime(2026, 2, 15, 9, 0)


def test_a_walk_past_its_deadline_is_a_retryable_503(monkeypatch):
    from functions.platform.errors import ServiceUnavailable

    monkeypatch.setattr(recurrence, "MAX_SECONDS", -1.0)  # already past the deadline
    with pytest.raises(ServiceUnavailable):
        recurrence.next_after("FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30", "UTC", START, START)


RULES = st.builds(
    lambda freq, interval, extra: f"FREQ={freq};INTERVAL={interval}{extra}",
    st.sampled_from(["DAILY", "WEEKLY", "MONTHLY", "YEARLY"]),
    st.integers(1, 4),
    st.sampled_from(
        [
            "",
            ";BYDAY=MO,WE",
            ";BYMONTHDAY=31",
            ";BYMONTHDAY=-1",
            ";BYMONTH=2;BYMONTHDAY=-1",
            ";BYSETPOS=-1;BYDAY=MO,TU,WE,TH,FR",
            ";BYMONTH=1,7",
            ";WKST=SU;BYDAY=SU,TU",
        ]
    ),
)


@settings(max_examples=100, deadline=None)
@given(RULES, st.datetimes(datetime(2000, 1, 1), datetime(2040, 12, 31)), st.integers(1, 30))
def test_a_walk_finds_what_dateutil_finds(rule, start, steps):
    start = start.replace(second=0, microsecond=0)
    expected = [
        moment for _, moment in zip(range(steps + 1), rrulestr(rule, dtstart=start), strict=False) if moment > start
    ]
    # One occurrence at a time, each walk from the one before (or, with COUNT, from the start).
    walked: list[datetime | None] = []
    current: datetime | None = start
    for _ in expected:
        current = recurrence.next_after(rule, "UTC", start, current)
        walked.append(current)
        if current is None:
            break
    assert walked == expected


def test_a_counted_series_counts_from_its_start():
    rule = "FREQ=DAILY;COUNT=3"
    second = START + timedelta(days=1)
    assert recurrence.next_after(rule, "UTC", START, second) == START + timedelta(days=2)
    assert recurrence.next_after(rule, "UTC", START, START + timedelta(days=2)) is None


@pytest.mark.parametrize("name", ["America", "../etc", "America/"])
def test_zone_refuses_what_names_no_zone_file(name: str) -> None:
    from functions.domain.tasks.recurrence import zone
    from functions.platform.errors import Unprocessable

    with pytest.raises(Unprocessable):
        zone(name)
