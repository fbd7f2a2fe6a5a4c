"""Bodies of the workspace, invitation, tag and checklist endpoints."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    EmailStr,
    Field,
    StringConstraints,
)

from functions.platform.models import Body, Row, encodable

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100), AfterValidator(encodable)]


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


class InvitationPreview(Row):
    """What an invitation's link shows anyone who has it, logged in or not."""

    workspace_name: str
    role: Literal["editor", "viewer"]
    invited_by: str = Field(description="the inviter's display name, or their e-mail address when they have none")
    expires_at: datetime


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
        "shown to owners only"
    )


class MemberPatch(Body):
    role: Literal["owner", "editor", "viewer"]
