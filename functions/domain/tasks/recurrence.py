"""Recurrence rules (an RFC 5545 RRULE subset) evaluated in the task's IANA timezone.

The rule runs on wall-clock time from the series' first occurrence, so a 09:00 task
stays at 09:00 across daylight-saving changes; dateutil.rrule does the calendar
arithmetic (a monthly rule on the 31st skips shorter months, as RFC 5545 says).

Every walk over a rule is bounded. dateutil stops by itself only at year 9999, and a
rule no day can satisfy (FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30) gets there one day at a
time: seconds of CPU per request. So a walk visits at most MAX_PERIODS periods of the
rule's frequency and MAX_YEARS of calendar, and gives up after MAX_SECONDS; a rule with
no occurrence within that bound is refused when saved, and a stored one ends its series.
"""

from __future__ import annotations

import re
import time
import types
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import dateutil.rrule
from dateutil.rrule import rrule, rrulestr

from functions.domain.tasks.models import EARLIEST, LATEST, in_range
from functions.platform.errors import ServiceUnavailable, Unprocessable

_FREQUENCIES = {"DAILY", "WEEKLY", "MONTHLY", "YEARLY"}
_KEYS = {"FREQ", "INTERVAL", "COUNT", "UNTIL", "BYDAY", "BYMONTHDAY", "BYMONTH", "BYSETPOS", "WKST"}
_WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
_NUMBER = re.compile(r"[+-]?[0-9]{1,3}")
_WEEKDAY = re.compile(r"([+-]?[0-9]{1,2})?(MO|TU|WE|TH|FR|SA|SU)")
_UNTIL = re.compile(r"[0-9]{8}(T[0-9]{6}Z?)?")
# Which numbers each BYxxx list takes (RFC 5545 3.3.10; zero never); an ordinal weekday
# (2TU, -1FR) only with a monthly or yearly rule, and at most the weeks such a period has.
_RANGES = {"BYMONTH": (1, 12, False), "BYMONTHDAY": (1, 31, True), "BYSETPOS": (1, 366, True)}
_ORDINALS = {"MONTHLY": 5, "YEARLY": 53}

MAX_PERIODS = 20_000  # 54 years of a daily rule: any day pattern the calendar has recurs sooner
MAX_YEARS = 400  # one Gregorian cycle, beyond YEARLY;INTERVAL=366
MAX_SECONDS = 0.5  # reached only on a starved machine: the bounds above cost milliseconds


def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):  # OSError: a directory, such as 'America'
        raise Unprocessable(f"unknown timezone {name!r}; use an IANA name such as Europe/Berlin") from None


def normalise(rule: str, timezone: str, series_start: datetime) -> str:
    """The rule, checked and in canonical form; Unprocessable with the reason when it is not
    usable, including when it has no occurrence within the walk's bound of `series_start`
    (naive wall-clock time in `timezone`)."""
    parts: dict[str, str] = {}
    for part in rule.strip().removeprefix("RRULE:").split(";"):
        key, sep, value = part.partition("=")
        key = key.strip().upper()
        if not sep or not value.strip():
            raise Unprocessable(f"recurrence part {part!r} is not KEY=VALUE")
        if key not in _KEYS:
            raise Unprocessable(f"recurrence part {key} is not supported")
        if key in parts:
            raise Unprocessable(f"recurrence part {key} appears twice")
        parts[key] = value.strip().upper()
    if parts.get("FREQ") not in _FREQUENCIES:
        raise Unprocessable("recurrence FREQ must be DAILY, WEEKLY, MONTHLY or YEARLY")
    if "COUNT" in parts and "UNTIL" in parts:
        raise Unprocessable("recurrence takes COUNT or UNTIL, not both")
    for key, low, high in (("INTERVAL", 1, 366), ("COUNT", 1, 1000)):
        if key in parts and not (re.fullmatch(r"[0-9]{1,4}", parts[key]) and low <= int(parts[key]) <= high):
            raise Unprocessable(f"recurrence {key} must be a whole number from {low} to {high}")
    _check_lists(parts)
    if "UNTIL" in parts:
        _until(parts["UNTIL"], zone(timezone))
    text = ";".join(f"{key}={value}" for key, value in parts.items())
    if first_from(text, timezone, series_start) is None:
        raise Unprocessable(
            f"recurrence never occurs: no date from the due date on matches it (looking up to "
            f"{MAX_YEARS} years ahead); check UNTIL, and that BYMONTH, BYMONTHDAY and BYDAY can "
            "fall on one day"
        )
    return text


def rule_set(rule: str, timezone: str, series_start: datetime) -> rrule:
    """The rule from `series_start` (naive wall-clock time in `timezone`)."""
    tz = zone(timezone)
    try:
        parts = dict(part.split("=", 1) for part in rule.split(";"))
        if "UNTIL" in parts:
            parts["UNTIL"] = _until(parts["UNTIL"], tz)
        text = ";".join(f"{key}={value}" for key, value in parts.items())
        parsed = rrulestr(text, dtstart=series_start)
    except (ValueError, TypeError, KeyError, OverflowError) as exc:
        raise Unprocessable(f"recurrence is not a valid RRULE: {exc}") from None
    assert isinstance(parsed, rrule)
    return parsed


def local(moment: datetime, timezone: str) -> datetime:
    """An aware instant as naive wall-clock time in `timezone`."""
    return moment.astimezone(zone(timezone)).replace(tzinfo=None)


def instant(wall_clock: datetime, timezone: str) -> datetime:
    """Naive wall-clock time in `timezone` as an aware UTC instant (a time skipped by a DST
    change is read with the offset before it, as RFC 5545 asks)."""
    return wall_clock.replace(tzinfo=zone(timezone)).astimezone(UTC)


def first_from(rule: str, timezone: str, series_start: datetime) -> datetime | None:
    """The wall-clock time of the series' first occurrence, or None when there is none
    within the walk's bound."""
    return next(_walk(rule_set(rule, timezone, series_start)), None)


def next_after(rule: str, timezone: str, series_start: datetime, current: datetime) -> datetime | None:
    """The wall-clock time of the occurrence after `current`, or None when the series has
    ended: by its COUNT or UNTIL, or with no occurrence within the walk's bound."""
    # `current` is an occurrence, so a rule without COUNT walks from it rather than from the
    # series' start: the same occurrences follow (dateutil aligns INTERVAL, weeks and BYSETPOS
    # on the period that holds its start), and an old series costs no more than a new one.
    counted = "COUNT=" in rule
    start = series_start if counted or current < series_start else current
    for following in _walk(rule_set(rule, timezone, start)):
        if following > current:
            return following if in_range(following.replace(tzinfo=zone(timezone))) else None
    return None


def _check_lists(parts: dict[str, str]) -> None:
    for key, (low, high, signed) in _RANGES.items():
        for item in parts.get(key, "").split(",") if key in parts else ():
            if not _NUMBER.fullmatch(item) or not low <= abs(int(item)) <= high or (int(item) < 0 and not signed):
                span = f"{low} to {high}" + (f" or -{high} to -{low}" if signed else "")
                raise Unprocessable(f"recurrence {key} takes numbers from {span}, not {item!r}")
    most = _ORDINALS.get(parts["FREQ"], 0)
    for item in parts["BYDAY"].split(",") if "BYDAY" in parts else ():
        match = _WEEKDAY.fullmatch(item)
        ordinal = int(match.group(1)) if match and match.group(1) else None
        if not match or (ordinal is not None and not 1 <= abs(ordinal) <= most):
            extra = f", and only with FREQ=MONTHLY (1 to 5) or YEARLY (1 to 53) a week number ({item!r})"
            raise Unprocessable(f"recurrence BYDAY takes weekdays such as MO or -1FR{extra}")
    if "WKST" in parts and parts["WKST"] not in _WEEKDAYS:
        raise Unprocessable("recurrence WKST must be a weekday: MO, TU, WE, TH, FR, SA or SU")


def _until(value: str, tz: ZoneInfo) -> str:
    """UNTIL as dateutil reads it against a floating start: a UTC UNTIL becomes the task's
    wall-clock time. Unprocessable unless it is an RFC 5545 date or date-time in range."""
    if not _UNTIL.fullmatch(value):
        raise Unprocessable(f"recurrence UNTIL must be a date such as 20271231 or 20271231T235959Z, not {value!r}")
    try:
        moment = datetime.strptime(value.removesuffix("Z"), "%Y%m%d" if len(value) == 8 else "%Y%m%dT%H%M%S")
    except ValueError:
        raise Unprocessable(f"recurrence UNTIL {value!r} is not a date") from None
    if not EARLIEST.replace(tzinfo=None) <= moment <= LATEST.replace(tzinfo=None):
        raise Unprocessable("recurrence UNTIL must lie between 1970 and 9000")
    if value.endswith("Z"):
        return moment.replace(tzinfo=UTC).astimezone(tz).replace(tzinfo=None).strftime("%Y%m%dT%H%M%S")
    return value


class _Exhausted(Exception):
    """A walk reached its bound without finding what it looked for."""


class _Walk(dateutil.rrule._iterinfo):  # type: ignore[misc]
    """dateutil's calendar state for one walk over a rule, which also charges every period the
    walk visits (dateutil asks it for each period's days) against the walk's bound."""

    # No __slots__ of its own: the base class initialises every name in self.__slots__.

    def __init__(self, rule: rrule) -> None:
        super().__init__(rule)
        self.periods_left = MAX_PERIODS
        self.last_year = min(rule._dtstart.year + MAX_YEARS, LATEST.year)
        self.deadline = time.monotonic() + MAX_SECONDS

    def _visit(self, year: int) -> None:
        self.periods_left -= 1
        if self.periods_left < 0 or year > self.last_year:
            raise _Exhausted
        if self.periods_left % 512 == 0 and time.monotonic() > self.deadline:
            raise ServiceUnavailable("the server is too busy to evaluate the recurrence; retry shortly")

    def ydayset(self, year: int, month: int, day: int) -> Any:
        self._visit(year)
        return super().ydayset(year, month, day)

    def mdayset(self, year: int, month: int, day: int) -> Any:
        self._visit(year)
        return super().mdayset(year, month, day)

    def wdayset(self, year: int, month: int, day: int) -> Any:
        self._visit(year)
        return super().wdayset(year, month, day)

    def ddayset(self, year: int, month: int, day: int) -> Any:
        self._visit(year)
        return super().ddayset(year, month, day)


# dateutil's own loop, reading _Walk where it reads its calendar state: the same occurrences,
# in the same order, with the bound applied. (tests/unit/test_recurrence.py checks the two agree.)
_bounded_iter = types.FunctionType(rrule._iter.__code__, {**vars(dateutil.rrule), "_iterinfo": _Walk}, "_bounded_iter")


def _walk(rule: rrule) -> Iterator[datetime]:
    """The rule's occurrences in order, ending where the walk's bound is reached."""
    try:
        yield from _bounded_iter(rule)
    except _Exhausted:
        return
