"""Access and refresh tokens: EdDSA-signed JWTs with the algorithm pinned on decode.

Only the functions that issue tokens (login, refresh) are given the private key;
every other function verifies with the public key alone. Besides access and refresh
tokens, login issues device tokens: proof that this browser logged in to the account
before (see auth.py), bound to the password it logged in with.
"""

from __future__ import annotations

import functools
import hashlib
import time
import uuid
from dataclasses import dataclass
from typing import Any, Literal

import jwt
from cryptography.hazmat.primitives.asymmetric.ed448 import Ed448PublicKey
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import load_pem_public_key

from functions.platform.errors import Unauthorized
from functions.platform.settings import Settings

ALGORITHM = "EdDSA"
_REQUIRED_CLAIMS = ["exp", "iat", "sub", "aud", "iss", "typ", "ver", "jti"]
LEEWAY_SECONDS = 5  # clock skew between the issuing and the verifying function
# Tokens a process remembers as checked: the sessions it serves at once, with room to spare.
REMEMBERED_TOKENS = 4096

TokenType = Literal["access", "refresh", "device"]


@dataclass(frozen=True)
class Claims:
    user_id: str
    token_type: TokenType
    token_version: int
    token_id: str
    family_id: str | None
    expires_at: int
    binding: str | None = None  # device tokens: what they are bound to (auth.credential_binding)


class TokenSigner:
    def __init__(self, private_key_pem: str, issuer: str, audience: str) -> None:
        self._key = private_key_pem
        self._issuer = issuer
        self._audience = audience

    def issue(
        self,
        user_id: str,
        token_type: TokenType,
        token_version: int,
        ttl_seconds: int,
        family_id: str | None = None,
        token_id: str | None = None,
        binding: str | None = None,
    ) -> tuple[str, Claims]:
        now = int(time.time())
        claims: dict[str, Any] = {
            "iss": self._issuer,
            "aud": self._audience,
            "sub": user_id,
            "iat": now,
            "exp": now + ttl_seconds,
            "typ": token_type,
            "ver": token_version,
            "jti": token_id or str(uuid.uuid4()),
        }
        if family_id:
            claims["fam"] = family_id
        if binding:
            claims["bnd"] = binding
        token = jwt.encode(claims, self._key, algorithm=ALGORITHM)
        return token, _to_claims(claims)


class TokenVerifier:
    """Checks tokens with the public key; a token that passed is remembered until it expires.

    Every request of a session carries the same access token: its signature and claims are
    checked the first time this process sees it, and after that only its expiry. A token that
    fails is never remembered, and revocation is not this check's to make (the database's
    token version is, in each request's transaction).
    """

    def __init__(self, public_key_pem: str, issuer: str, audience: str) -> None:
        key = load_pem_public_key(public_key_pem.encode())  # parsed once, not per token
        if not isinstance(key, Ed25519PublicKey | Ed448PublicKey):
            raise ValueError("the token verification key is not an EdDSA (Ed25519 or Ed448) public key")
        self._key = key
        self._issuer = issuer
        self._audience = audience
        self._checked = functools.lru_cache(maxsize=REMEMBERED_TOKENS)(self._check)

    def verify(self, token: str, expected_type: TokenType) -> Claims:
        claims = self._checked(token, expected_type)
        if claims.expires_at + LEEWAY_SECONDS < time.time():
            raise Unauthorized("the token is invalid or expired")
        return claims

    def _check(self, token: str, expected_type: TokenType) -> Claims:
        try:
            payload = jwt.decode(
                token,
                self._key,
                algorithms=[ALGORITHM],  # pinned: never "none", never HS256 with the public key
                audience=self._audience,
                issuer=self._issuer,
                options={"require": _REQUIRED_CLAIMS},
                leeway=LEEWAY_SECONDS,
            )
        except jwt.PyJWTError:
            raise Unauthorized("the token is invalid or expired") from None
        if payload.get("typ") != expected_type:
            raise Unauthorized(f"an {expected_type} token is required")
        if not isinstance(payload.get("ver"), int) or not isinstance(payload.get("sub"), str):
            raise Unauthorized("the token is malformed")
        if not isinstance(payload.get("exp"), int | float):
            raise Unauthorized("the token is malformed")
        return _to_claims(payload)


def _to_claims(payload: dict[str, Any]) -> Claims:
    return Claims(
        user_id=payload["sub"],
        token_type=payload["typ"],
        token_version=payload["ver"],
        token_id=payload["jti"],
        family_id=payload.get("fam"),
        expires_at=payload["exp"],
        binding=payload.get("bnd"),
    )


def signer_from(settings: Settings) -> TokenSigner:
    if not settings.jwt_private_key:
        raise RuntimeError("JWT_PRIVATE_KEY is required by the functions that issue tokens")
    return TokenSigner(settings.jwt_private_key, settings.jwt_issuer, settings.jwt_audience)


def verifier_from(settings: Settings) -> TokenVerifier:
    if not settings.jwt_public_key:
        raise RuntimeError("JWT_PUBLIC_KEY is required to verify tokens")
    return TokenVerifier(settings.jwt_public_key, settings.jwt_issuer, settings.jwt_audience)


def access_claims(verifier: TokenVerifier, authorization: str | None) -> Claims:
    """Verifies the bearer token's signature and claims; the database check follows in the transaction."""
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized()
    return verifier.verify(token.strip(), "access")


def stored_digest(token: str) -> str:
    """How a secret handed out in a link (an invitation, a verification, a calendar feed) is kept:
    its SHA-256, so a copy of the database opens nothing."""
    return hashlib.sha256(token.encode()).hexdigest()
