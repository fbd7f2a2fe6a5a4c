"""Fractional order keys: a task's place in its list is a string, and a new place between any
two keys is a key strictly between them, so a move writes one row.

The scheme is David Greenspan's "fractional indexing" (as in the fractional-indexing
packages): base-62 digits in byte order, a key is an integer part whose first character
says how many digits follow ('a'..'z' one to 26, 'A'..'Z' 27 to 2, descending), then an
optional fraction without trailing zeros. Appending at either end changes the integer part
(keys stay two or three characters for thousands of tasks); only inserting again and again
into the same gap lengthens the fraction, by a character every five or six inserts.

Keys compare byte-wise: the database column is COLLATE "C" (migration 0013).
"""

from __future__ import annotations

import re

DIGITS = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
_ZERO = DIGITS[0]
_SMALLEST_INTEGER = "A" + _ZERO * 26
# A key the database accepts; the check in migration 0013 is the same length.
MAX_LENGTH = 200
_SHAPE = re.compile(r"[0-9A-Za-z]+")


class InvalidKey(ValueError):
    """Not a key of this scheme: refused rather than stored, since an invalid key has no place
    between others."""


def validate(key: str) -> str:
    """`key` when it is a key of this scheme; InvalidKey (with why) when not."""
    if not isinstance(key, str) or not _SHAPE.fullmatch(key):
        raise InvalidKey("an order key is made of the digits 0-9, A-Z and a-z")
    if len(key) > MAX_LENGTH:
        raise InvalidKey(f"an order key has at most {MAX_LENGTH} characters")
    if key == _SMALLEST_INTEGER:
        raise InvalidKey("the smallest key leaves no room before it")
    integer = _integer_part(key)
    if key[len(integer) :].endswith(_ZERO):
        raise InvalidKey("an order key's fraction does not end in 0")
    return key


def between(before: str | None, after: str | None) -> str:
    """A key strictly between `before` and `after` (None: an open end); the shortest the
    scheme offers there. InvalidKey when either is not a key or `before` is not below `after`."""
    if before is not None:
        validate(before)
    if after is not None:
        validate(after)
    if before is not None and after is not None and before >= after:
        raise InvalidKey(f"{before!r} is not below {after!r}")
    if before is None:
        if after is None:
            return "a" + _ZERO
        integer = _integer_part(after)
        fraction = after[len(integer) :]
        if integer == _SMALLEST_INTEGER:
            return integer + _midpoint("", fraction)
        if integer < after:
            return integer
        lower = _decrement(integer)
        if lower is None:
            raise InvalidKey("no room below the smallest key")
        return lower
    integer = _integer_part(before)
    fraction = before[len(integer) :]
    if after is None:
        higher = _increment(integer)
        return integer + _midpoint(fraction, None) if higher is None else higher
    after_integer = _integer_part(after)
    if integer == after_integer:
        return integer + _midpoint(fraction, after[len(after_integer) :])
    higher = _increment(integer)
    if higher is None:
        raise InvalidKey("no room above the largest key")
    return higher if higher < after else integer + _midpoint(fraction, None)


def sequence(count: int, start: str | None = None) -> list[str]:
    """`count` ascending keys after `start` (None: from the first key), each one step of the
    integer part: what renumbering a whole list writes."""
    keys: list[str] = []
    last = start
    for _ in range(count):
        last = between(last, None)
        keys.append(last)
    return keys


def _midpoint(low: str, high: str | None) -> str:
    """A fraction strictly between fractions `low` and `high` (None: 1), without trailing zeros."""
    if high is not None:
        common = 0
        while (low[common] if common < len(low) else _ZERO) == high[common]:
            common += 1
        if common:
            return high[:common] + _midpoint(low[common:], high[common:])
    low_digit = DIGITS.index(low[0]) if low else 0
    high_digit = DIGITS.index(high[0]) if high is not None else len(DIGITS)
    if high_digit - low_digit > 1:
        return DIGITS[(low_digit + high_digit + 1) // 2]
    if high is not None and len(high) > 1:
        return high[:1]
    return DIGITS[low_digit] + _midpoint(low[1:], None)


def _integer_length(head: str) -> int:
    if "a" <= head <= "z":
        return ord(head) - ord("a") + 2
    if "A" <= head <= "Z":
        return ord("Z") - ord(head) + 2
    raise InvalidKey("an order key starts with a letter")


def _integer_part(key: str) -> str:
    length = _integer_length(key[0])
    if length > len(key):
        raise InvalidKey("an order key is shorter than its first letter says")
    return key[:length]


def _increment(integer: str) -> str | None:
    head, digits = integer[0], list(integer[1:])
    for index in reversed(range(len(digits))):
        value = DIGITS.index(digits[index]) + 1
        if value < len(DIGITS):
            digits[index] = DIGITS[value]
            return head + "".join(digits)
        digits[index] = _ZERO
    if head == "Z":
        return "a" + _ZERO
    if head == "z":
        return None
    head = chr(ord(head) + 1)
    if head > "a":
        digits.append(_ZERO)
    else:
        digits.pop()
    return head + "".join(digits)


def _decrement(integer: str) -> str | None:
    head, digits = integer[0], list(integer[1:])
    for index in reversed(range(len(digits))):
        value = DIGITS.index(digits[index]) - 1
        if value >= 0:
            digits[index] = DIGITS[value]
            return head + "".join(digits)
        digits[index] = DIGITS[-1]
    if head == "a":
        return "Z" + DIGITS[-1]
    if head == "A":
        return None
    head = chr(ord(head) - 1)
    if head < "Z":
        digits.append(DIGITS[-1])
    else:
        digits.pop()
    return head + "".join(digits)
