"""The token verifier remembers a token it has checked, and still refuses it once it expires."""

from __future__ import annotations

import jwt
import pytest

from functions.platform import tokens
from functions.platform.errors import Unauthorized
from functions.platform.tokens import TokenSigner, TokenVerifier
from tests.support.keys import ed25519_pem

ISSUER, AUDIENCE = "taskforge-test", "taskforge-api"


@pytest.fixture
def keys() -> tuple[TokenSigner, TokenVerifier]:
    private, public = ed25519_pem()
    return TokenSigner(private, ISSUER, AUDIENCE), TokenVerifier(public, ISSUER, AUDIENCE)


def test_a_token_is_checked_once_then_remembered(keys, monkeypatch):
    signer, verifier = keys
    token, issued = signer.issue("user-1", "access", 3, ttl_seconds=60)
    decoded: list[str] = []
    real_decode = jwt.decode
    monkeypatch.setattr(jwt, "decode", lambda token, *a, **k: decoded.append(token) or real_decode(token, *a, **k))

    assert verifier.verify(token, "access") == issued
    assert verifier.verify(token, "access") == issued
    assert decoded == [token]


def test_a_remembered_token_is_refused_once_it_expires(keys, monkeypatch):
    signer, verifier = keys
    token, issued = signer.issue("user-1", "access", 3, ttl_seconds=60)
    assert verifier.verify(token, "access") == issued

    later = issued.expires_at + tokens.LEEWAY_SECONDS + 1
    monkeypatch.setattr(tokens.time, "time", lambda: later)
    with pytest.raises(Unauthorized):
        verifier.verify(token, "access")


def test_a_refused_token_is_not_remembered_and_stays_refused(keys):
    signer, verifier = keys
    token, _ = signer.issue("user-1", "access", 3, ttl_seconds=60)
    head, payload, signature = token.split(".")
    forged = f"{head}.{payload}.{signature[:-4]}AAAA"
    for _ in range(2):
        with pytest.raises(Unauthorized):
            verifier.verify(forged, "access")
    verifier.verify(token, "access")
    with pytest.raises(Unauthorized):  # remembered as an access token, it is still no refresh token
        verifier.verify(token, "refresh")


def test_a_token_from_another_key_is_refused(keys):
    _, verifier = keys
    other, _ = ed25519_pem()
    token, _ = TokenSigner(other, ISSUER, AUDIENCE).issue("user-1", "access", 3, ttl_seconds=60)
    with pytest.raises(Unauthorized):
        verifier.verify(token, "access")


def test_a_verification_key_that_is_not_eddsa_is_refused_at_start():
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    public = (
        ec.generate_private_key(ec.SECP256R1())
        .public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    with pytest.raises(ValueError, match="EdDSA"):
        TokenVerifier(public, ISSUER, AUDIENCE)
