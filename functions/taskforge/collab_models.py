"""Bodies of the workspace, invitation, tag and checklist endpoints."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    ConfigDict,
    EmailStr,
    Field,
    StrictBool,
    StrictInt,
    StringConstraints,
    model_validator,
)
from pydantic.json_schema import SkipJsonSchema

from .models import Body, Row, encodable
from .task_models import Id

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100),
                 AfterValidator(encodable)]
TagName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=50),
                    AfterValidator(encodable)]
Color = Annotated[str, StringConstraints(pattern=r"^#[0-9a-fA-F]{6}$"), AfterValidator(str.lower),
                  Field(description="#rrggbb")]
ItemText = Annotated[str, StringConstraints(min_length=1, max_length=500), AfterValidator(encodable)]


class WorkspaceCreate(Body):
    name: Name


class Workspace(Row):
    id: str
    name: str
    personal: bool
    role: Literal["owner", "editor", "viewer"]
    created_at: datetime


class WorkspaceList(Body):
    items: list[Workspace]


class InvitationCreate(Body):
    email: Annotated[EmailStr, StringConstraints(max_length=254)]
    role: Literal["editor", "viewer"]


class Invitation(Body):
    id: str = Field(description="names the invitation in the members list and to revoke it")
    token: str = Field(description="give it to the invited person; it is shown once")
    emailed: bool = Field(description="whether the invitation link was also e-mailed to the invited address")


class Member(Row):
    user_id: str
    email: str
    display_name: str | None
    role: Literal["owner", "editor", "viewer"]
    joined_at: datetime


class PendingInvitation(Row):
    id: str
    email: str
    role: Literal["editor", "viewer"]
    created_at: datetime
    expires_at: datetime


class MemberList(Body):
    items: list[Member]
    invitations: list[PendingInvitation] = Field(
        description="open invitations (not accepted, expired or revoked, and sent by a current owner); "
                    "shown to owners only")


class MemberPatch(Body):
    role: Literal["owner", "editor", "viewer"]


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
