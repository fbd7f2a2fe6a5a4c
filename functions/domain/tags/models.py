"""Request and response bodies of the tags endpoints."""

from __future__ import annotations

from typing import Annotated

from pydantic import (
    AfterValidator,
    ConfigDict,
    Field,
    StringConstraints,
    model_validator,
)
from pydantic.json_schema import SkipJsonSchema

from functions.domain.tasks.models import Id
from functions.platform.models import Body, Row, encodable

TagName = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=50), AfterValidator(encodable)
]


Color = Annotated[
    str, StringConstraints(pattern=r"^#[0-9a-fA-F]{6}$"), AfterValidator(str.lower), Field(description="#rrggbb")
]


class TagCreate(Body):
    name: TagName
    color: Color
    workspace_id: Id | None = None


class TagPatch(Body):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"minProperties": 1})
    name: TagName | SkipJsonSchema[None] = None
    color: Color | SkipJsonSchema[None] = None

    @model_validator(mode="after")
    def _something_to_change(self) -> TagPatch:
        if not self.model_fields_set or any(getattr(self, name) is None for name in self.model_fields_set):
            raise ValueError("send a name or a color")
        return self


class Tag(Row):
    id: str
    name: str
    color: str
    workspace_id: str


class TagList(Body):
    items: list[Tag]
