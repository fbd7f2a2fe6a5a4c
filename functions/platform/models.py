"""What every request and response body shares: unknown fields refused, text that can be stored."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any, Self

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints


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


# The zone of an account, a task's recurrence, a digest: checked against the zone database
# where it is used (a zone the server does not know is a 422 there, not here).
TimeZone = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=64),
    AfterValidator(encodable),
    Field(description="an IANA timezone, e.g. Europe/Berlin"),
]
