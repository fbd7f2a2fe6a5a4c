"""The VAPID key (RFC 8292) that identifies our server to browsers' push services.

The private key comes from the environment as PEM (PKCS#8 or SEC1) or as the base64url raw
32-byte private number, the form `web-push generate-vapid-keys` and most guides print. Browsers
take the public key as `applicationServerKey`: the uncompressed P-256 point, base64url.
"""

from __future__ import annotations

import base64
import binascii
import secrets

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

# The order of P-256's base point: a private number is from 1 to N - 1.
P256_ORDER = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551


def b64url_decode(text: str) -> bytes:
    """base64url with or without padding; ValueError for anything else."""
    if not isinstance(text, str) or any(char not in _B64URL for char in text):
        raise ValueError("not base64url")
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError):
        raise ValueError("not base64url") from None


_B64URL = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_=")


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def load_private_key(value: str) -> ec.EllipticCurvePrivateKey:
    """The P-256 private key in `value`; ValueError saying what is wrong otherwise."""
    text = value.strip()
    if text.startswith("-----BEGIN"):
        key = serialization.load_pem_private_key(text.encode(), password=None)
        if not isinstance(key, ec.EllipticCurvePrivateKey) or not isinstance(key.curve, ec.SECP256R1):
            raise ValueError("the PEM key is not a P-256 (prime256v1) key")
        return key
    raw = b64url_decode(text)
    if len(raw) != 32:
        raise ValueError("expected a PEM key or the base64url raw 32-byte P-256 private key")
    number = int.from_bytes(raw, "big")
    if not 0 < number < P256_ORDER:
        raise ValueError("the raw key is not a valid P-256 private number")
    return ec.derive_private_key(number, ec.SECP256R1())


def application_server_key(key: ec.EllipticCurvePrivateKey) -> str:
    point = key.public_key().public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    return b64url(point)


def new_private_key() -> str:
    """A new key in the raw form (the local stack and the deploy make theirs this way)."""
    return b64url((secrets.randbelow(P256_ORDER - 1) + 1).to_bytes(32, "big"))
