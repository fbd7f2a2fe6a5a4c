"""What every request and response body shares: unknown fields refused, text that can be stored."""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from importlib import resources
from typing import Annotated, Any, Self

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints
from pydantic_core import PydanticCustomError


def encodable(value: str) -> str:
    # JSON can carry lone surrogates ("\ud800") and NUL ("\u0000"); neither can be
    # hashed or stored in PostgreSQL text.
    if "\x00" in value:
        raise ValueError("must not contain NUL characters")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("must be valid Unicode text") from None
    return value


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=False)


class Row(Body):
    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> Self:
        """Builds the response from a database row, taking only the fields it declares."""
        return cls(**{name: row[name] for name in cls.model_fields})


@cache
def _iana_zones() -> frozenset[str]:
    # The zone names of the IANA database the server ships (the tzdata package, which zoneinfo
    # reads): not whatever else the host's zoneinfo directory holds ("localtime", "posixrules",
    # or a directory such as "America").
    return frozenset(resources.files("tzdata").joinpath("zones").read_text().split())


def known_zone(name: str) -> str:
    if name not in _iana_zones():
        raise PydanticCustomError("unknown_timezone", "unknown timezone; use an IANA name such as Europe/Berlin")
    return name


# The zone of an account, a task's recurrence, a digest: one the server knows, checked where
# the request is read (422 otherwise).
TimeZone = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=64),
    AfterValidator(encodable),
    AfterValidator(known_zone),
    Field(description="an IANA timezone, e.g. Europe/Berlin"),
]
