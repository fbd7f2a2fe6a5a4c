"""The Web Push key: read in both forms operators have, checked at start-up, kept by the local stack."""

from __future__ import annotations

import stat

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from pydantic import ValidationError

from functions.devserver.keys import local_vapid_key
from functions.platform.settings import Settings
from functions.platform.vapid import P256_ORDER, b64url, b64url_decode, load_private_key, new_private_key
from tests.support.keys import ed25519_pem


def test_a_pem_key_and_its_raw_number_give_the_same_public_key():
    key = ec.generate_private_key(ec.SECP256R1())
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    raw = b64url(key.private_numbers().private_value.to_bytes(32, "big"))
    from_pem, from_raw = Settings(vapid_private_key=pem), Settings(vapid_private_key=raw)
    assert from_pem.vapid_public_key == from_raw.vapid_public_key
    point = b64url_decode(from_raw.vapid_public_key or "")
    assert len(point) == 65
    assert point[0] == 4


def test_a_public_key_given_apart_is_ignored_for_the_one_the_private_key_has():
    raw = new_private_key()
    settings = Settings(vapid_private_key=raw, vapid_public_key="BNotTheRightKey")
    assert settings.vapid_public_key == Settings(vapid_private_key=raw).vapid_public_key
    assert Settings().vapid_public_key is None


@pytest.mark.parametrize(
    "value",
    [
        "short",
        b64url(bytes(32)),  # zero is no private number
        b64url(P256_ORDER.to_bytes(32, "big")),
        "not base64url!",
        ed25519_pem()[0],  # the token key: the wrong curve
    ],
    ids=["short", "zero", "order", "not-base64url", "ed25519"],
)
def test_a_bad_key_stops_the_start_up_naming_the_variable(value):
    with pytest.raises(ValidationError, match="VAPID_PRIVATE_KEY"):
        Settings(vapid_private_key=value)


def test_new_keys_are_valid_and_different():
    first, second = new_private_key(), new_private_key()
    assert first != second
    assert 0 < load_private_key(first).private_numbers().private_value < P256_ORDER


def test_the_local_stack_makes_its_key_once_and_keeps_it_private(tmp_path):
    made = local_vapid_key(tmp_path / "data")
    assert local_vapid_key(tmp_path / "data") == made
    assert Settings(vapid_private_key=made).vapid_public_key
    assert stat.S_IMODE((tmp_path / "data" / "vapid-p256.key").stat().st_mode) == 0o600
