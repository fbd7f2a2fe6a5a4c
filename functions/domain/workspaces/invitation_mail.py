"""The e-mail that brings an invitation to the invited address.

Names in it (the workspace's, the inviter's) are chosen by users: they are quoted as
text on one line each and never make up the link, which is always ours.
"""

from __future__ import annotations

import logging
from typing import Any

from functions.domain.workspaces.workspaces import INVITATION_LIFETIME
from functions.platform import mailer
from functions.platform.settings import Settings

logger = logging.getLogger(__name__)


def link(settings: Settings, token: str) -> str:
    return mailer.app_link(settings, "invitations", token)


def send(settings: Settings, email: str, role: str, invitation: dict[str, Any]) -> bool:
    """Mails the invitation link to `email`; whether it went. A failure is logged, not raised:
    the owner has the link in the answer and can pass it on."""
    workspace = _one_line(invitation["workspace_name"])
    inviter = _one_line(invitation["inviter_email"])
    if invitation.get("inviter_name"):
        inviter = f"{_one_line(invitation['inviter_name'])} ({inviter})"
    as_role = "an editor" if role == "editor" else "a viewer"
    try:
        mailer.send(
            settings,
            email,
            f"Invitation to “{workspace}” on TaskForge",
            f"{inviter} invited you to the shared workspace “{workspace}” on TaskForge, as {as_role}.\n\n"
            f"To accept, open this link and log in with this e-mail address ({email}):\n\n"
            f"{link(settings, invitation['token'])}\n\n"
            f"The invitation works once and expires in {INVITATION_LIFETIME.days} days. If you do not "
            "know the sender, ignore this message.\n",
        )
    except Exception:
        logger.exception("the invitation %s could not be e-mailed", invitation["id"])
        return False
    return True


def _one_line(text: str) -> str:
    return " ".join("".join(char if char.isprintable() else " " for char in text).split())
