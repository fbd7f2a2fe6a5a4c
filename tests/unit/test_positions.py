"""Order keys (functions/domain/tasks/positions.py): any two have a key strictly between them,
keys stay short, and what is not a key is refused."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from functions.domain.tasks import positions
from functions.domain.tasks.positions import InvalidKey, between, sequence, validate

# Keys as a list grows by moves: each drawn step places a key between two neighbours of the
# list so far (or at an end), the way clients move tasks.
_places = st.lists(st.integers(min_value=0, max_value=10_000), min_size=1, max_size=200)


def _grow(places: list[int]) -> list[str]:
    keys: list[str] = []
    for place in places:
        index = place % (len(keys) + 1)
        low = keys[index - 1] if index else None
        high = keys[index] if index < len(keys) else None
        keys.insert(index, between(low, high))
    return keys


@given(_places)
@settings(max_examples=300)
def test_every_new_key_lies_strictly_between_its_neighbours(places):
    keys = _grow(places)
    assert keys == sorted(keys)  # byte order: what COLLATE "C" compares
    assert len(set(keys)) == len(keys)
    for key in keys:
        assert validate(key) == key


@given(_places, st.data())
def test_between_any_two_keys_there_is_another(places, data):
    keys = _grow(places)
    low = data.draw(st.sampled_from([None, *keys]))
    high = data.draw(st.sampled_from([None, *[key for key in keys if low is None or key > low]]))
    middle = between(low, high)
    assert low is None or low < middle
    assert high is None or middle < high
    validate(middle)


def test_keys_at_the_ends_stay_short():
    appended = sequence(10_000)
    assert appended == sorted(appended)
    assert max(len(key) for key in appended) <= 4
    first = "a0"
    for _ in range(10_000):
        first = between(None, first)
    assert len(first) <= 4


@pytest.mark.parametrize("toward_high", [True, False])
def test_repeated_inserts_into_one_gap_grow_slowly(toward_high):
    """A task dropped again and again at the same place lengthens the key by one character
    about every log2(62) ≈ 6 drops, in either direction."""
    low, high = "a0", "a1"
    for _ in range(300):
        middle = between(low, high)
        low, high = (low, middle) if toward_high else (middle, high)
    assert len(middle) <= 2 + 300 // 5


def test_first_keys():
    assert between(None, None) == "a0"
    assert between("a0", None) == "a1"
    assert between(None, "a0") == "Zz"
    assert between("a0", "a1") == "a0V"
    assert between("az", None) == "b00"


@pytest.mark.parametrize(
    "key",
    ["", "a", "a00", "a0!", "0a", "a0 ", "b0", "A" + "0" * 26, "é0", "a" + "1" * positions.MAX_LENGTH],
    ids=[
        "empty",
        "short",
        "trailing-zero",
        "punctuation",
        "digit-head",
        "space",
        "b-short",
        "smallest",
        "accent",
        "long",
    ],
)
def test_what_is_not_a_key_is_refused(key):
    with pytest.raises(InvalidKey):
        validate(key)
    with pytest.raises(InvalidKey):
        between(key, None)


def test_neighbours_out_of_order_are_refused():
    with pytest.raises(InvalidKey):
        between("a1", "a0")
    with pytest.raises(InvalidKey):
        between("a1", "a1")


@given(st.text(max_size=30))
def test_random_text_is_a_key_or_refused(text):
    try:
        validate(text)
    except InvalidKey:
        return
    assert between(text, None) > text
    assert between(None, text) < text
