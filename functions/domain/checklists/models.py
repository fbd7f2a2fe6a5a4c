"""Request and response bodies of the checklists endpoints."""

from __future__ import annotations

from typing import Annotated

from pydantic import (
    AfterValidator,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    StringConstraints,
    model_validator,
)
from pydantic.json_schema import SkipJsonSchema

from functions.platform.models import Body, Row, encodable

ItemText = Annotated[str, StringConstraints(min_length=1, max_length=500), AfterValidator(encodable)]


class ChecklistItemCreate(Body):
    text: ItemText


class ChecklistItemPatch(Body):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"minProperties": 1})
    text: ItemText | SkipJsonSchema[None] = None
    done: StrictBool | SkipJsonSchema[None] = None
    position: Annotated[StrictInt, Field(ge=0, description="0-based; other items shift")] | SkipJsonSchema[None] = None

    @model_validator(mode="after")
    def _something_to_change(self) -> ChecklistItemPatch:
        if not self.model_fields_set or any(getattr(self, name) is None for name in self.model_fields_set):
            raise ValueError("send text, done or position")
        return self


class ChecklistItem(Row):
    id: str
    text: str
    done: bool
    position: int


class Checklist(Body):
    items: list[ChecklistItem]
