"""Recurrence rules (an RFC 5545 RRULE subset) evaluated in the task's IANA timezone.

The rule runs on wall-clock time from the series' first occurrence, so a 09:00 task
stays at 09:00 across daylight-saving changes; dateutil.rrule does the calendar
arithmetic (a monthly rule on the 31st skips shorter months, as RFC 5545 says).
"""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dateutil.rrule import rrule, rrulestr

from .errors import Unprocessable

_FREQUENCIES = {"DAILY", "WEEKLY", "MONTHLY", "YEARLY"}
_KEYS = {"FREQ", "INTERVAL", "COUNT", "UNTIL", "BYDAY", "BYMONTHDAY", "BYMONTH", "BYSETPOS", "WKST"}


def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise Unprocessable(f"unknown timezone {name!r}; use an IANA name such as Europe/Berlin") from None


def normalise(rule: str, timezone: str) -> str:
    """The rule, checked and in canonical form; Unprocessable with the reason when it is not usable."""
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
        if key in parts and not (parts[key].isdigit() and low <= int(parts[key]) <= high):
            raise Unprocessable(f"recurrence {key} must be a whole number from {low} to {high}")
    text = ";".join(f"{key}={value}" for key, value in parts.items())
    # Evaluate once: dateutil rejects what the grammar above let through (BYDAY=XX, ...).
    rule_set(text, timezone, datetime(2000, 1, 1, 9, 0))
    return text


def rule_set(rule: str, timezone: str, series_start: datetime) -> rrule:
    """The rule from `series_start` (naive wall-clock time in `timezone`)."""
    tz = zone(timezone)
    parts = dict(part.split("=", 1) for part in rule.split(";"))
    until = parts.get("UNTIL")
    if until and until.endswith("Z"):
        # A UTC UNTIL against a floating start: compare in the task's wall-clock time.
        moment = datetime.strptime(until, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC).astimezone(tz)
        parts["UNTIL"] = moment.replace(tzinfo=None).strftime("%Y%m%dT%H%M%S")
    text = ";".join(f"{key}={value}" for key, value in parts.items())
    try:
        parsed = rrulestr(text, dtstart=series_start)
    except (ValueError, TypeError, KeyError) as exc:
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


def next_after(rule: str, timezone: str, series_start: datetime, current: datetime) -> datetime | None:
    """The wall-clock time of the occurrence after `current`, or None when the series has ended."""
    following = rule_set(rule, timezone, series_start).after(current, inc=False)
    return following if isinstance(following, datetime) else None
