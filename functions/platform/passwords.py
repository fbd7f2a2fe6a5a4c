"""Passwords: hashing with argon2id at OWASP's recommended parameters, and the rules a
new password must meet (NIST SP 800-63B).

A new password must have at least 8 characters once normalised (NFKC, so that what
looks the same counts the same), must not be only spaces, must not contain the
account's e-mail address or the name before its @, and must not be on the list of
common passwords in data/ (no network call: the list ships with the code). Nothing
else is demanded: no character classes, no expiry. SP 800-63B rev. 4 asks 15
characters of a password that is the only factor; TaskForge keeps rev. 3's 8, with
the blocklist doing the work, until a second factor exists.
"""

from __future__ import annotations

import gzip
import re
import unicodedata
from functools import cache
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

MIN_LENGTH = 8
MAX_LENGTH = 128
COMMON_PASSWORDS = Path(__file__).parent / "data" / "common-passwords.txt.gz"
# Shorter names before the @ ("al", "tom") are parts of too many good passwords to refuse.
_MIN_LOCAL_PART = 4
_SERVICE_NAME = "taskforge"

# OWASP Password Storage Cheat Sheet: argon2id, 19 MiB, 2 iterations, 1 lane.
_hasher = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1, hash_len=32, salt_len=16)


@cache
def _decoy_hash() -> str:
    # Verifying against this when the account does not exist keeps login time flat, so
    # response time does not reveal which e-mail addresses are registered. Made on first
    # use: every function imports this module, few of them check passwords.
    return _hasher.hash("decoy password that matches nothing")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _decoy_hash(), password) and password_hash is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)


def weakness(password: str, email: str | None = None) -> str | None:
    """Why `password` may not become an account's password, in words a person can act on
    (never repeating the password); None when it may."""
    normalized = unicodedata.normalize("NFKC", password)
    if not normalized.strip():
        return "the password is only spaces; use other characters too"
    if len(normalized) < MIN_LENGTH:
        return f"the password is too short; use at least {MIN_LENGTH} characters"
    folded = normalized.casefold()
    if email:
        address = unicodedata.normalize("NFKC", email.strip()).casefold()
        local = address.rpartition("@")[0]
        if address in folded:
            return "the password contains your e-mail address; choose one that does not"
        if folded.strip() == local or (len(local) >= _MIN_LOCAL_PART and local in folded):
            return "the password contains the name in your e-mail address (before the @); choose one that does not"
    if folded.strip() in _common_passwords() or re.sub(r"[^a-z]", "", folded) == _SERVICE_NAME:
        return "the password is one of the most common passwords, which are guessed first; choose another"
    return None


@cache
def _common_passwords() -> frozenset[str]:
    # Read on first use, once per process: only the functions that set passwords need it.
    with gzip.open(COMMON_PASSWORDS, "rt", encoding="utf-8") as lines:
        return frozenset(line.strip() for line in lines if line.strip())
