"""An independent model of TaskForge's access rules and of the data they guard.

It is written from the rules, not from the code that enforces them:

- a workspace member holds one role: an owner may do everything, invitations, roles
  and removing members included; an editor reads and writes tasks, tags, checklists
  and reminders; a viewer only reads (a write is refused with 403);
- to anyone who is not a member, a workspace and everything in it does not exist (404);
- any member may leave, but a workspace always keeps an owner (409), and a member who
  goes loses their reminders there;
- an invitation is accepted only by the address it was sent to (403), once that address is
  verified (403), once (409), and only while it is open: an owner may revoke it, and it dies
  when whoever sent it stops being an owner (410);
- a user verifies their address with a link mailed to them (a few an hour; 429 beyond);
- a personal workspace has one member, its user, and cannot be shared or left;
- a user's session, profile and calendar feed are that user's alone; a task or tag
  belongs to one workspace, and what hangs on it (items, reminders, tags) goes with it.

The world holds what the data should be after every answered request, so the test can
compare it with the database, and which words and ids each user may ever be shown.
Everything a test picks from is kept in insertion order (dicts and lists, never sets),
so a seed replays the same requests.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Literal

Role = Literal["owner", "editor", "viewer"]
WRITERS: tuple[str, ...] = ("owner", "editor")
DAY = timedelta(days=1)


@dataclass
class RefreshToken:
    token: str
    family: int
    used: bool = False
    revoked: bool = False


@dataclass
class User:
    key: str  # "A.owner", "B.viewer", "outsider", ...
    id: str
    email: str
    password: str
    access_token: str
    personal: str  # the personal workspace's id
    refresh: list[RefreshToken] = field(default_factory=list)
    session_valid: bool = True  # False after a logout or a password change, until the next login
    token_version: int = 0
    feed: str | None = None
    old_feeds: list[str] = field(default_factory=list)
    display_name: str | None = None
    digest_hour: int = 8
    verified: bool = True
    verification_mails: int = 1  # links sent in the last hour: registering sent one

    def current_refresh(self) -> RefreshToken | None:
        unused = [token for token in self.refresh if not token.used]
        return unused[-1] if unused else None


@dataclass
class Workspace:
    id: str
    name: str
    personal: bool
    creator: str  # user id
    members: dict[str, Role] = field(default_factory=dict)  # user id → role


@dataclass
class Task:
    id: str
    workspace: str
    owner: str  # the creator's user id
    title: str
    description: str
    completed: bool
    priority: int
    due: datetime | None
    recurring: bool
    version: int = 1
    tags: dict[str, None] = field(default_factory=dict)
    items: list[str] = field(default_factory=list)  # in checklist order
    reminders: dict[str, None] = field(default_factory=dict)
    occurrences: int = 0  # past occurrences recorded (completed or skipped)
    completions: int = 0  # of which completed


@dataclass
class Tag:
    id: str
    workspace: str
    name: str
    color: str


@dataclass
class Item:
    id: str
    task: str
    text: str
    done: bool = False


@dataclass
class Reminder:
    id: str
    task: str
    user: str


@dataclass
class Invitation:
    token: str
    workspace: str
    email: str
    role: Role
    inviter: str  # user id
    id: str = ""
    accepted: bool = False
    revoked: bool = False


@dataclass
class VerificationLink:
    token: str
    user: str  # user id
    used: bool = False


# What a string found in a response body stands for: (kind, key of the object).
Secret = tuple[str, str]


class World:
    """The expected state, and the rules as plain functions of it."""

    def __init__(self) -> None:
        self.users: dict[str, User] = {}  # by key
        self.by_id: dict[str, User] = {}
        self.newcomers: dict[str, str] = {}  # user id → e-mail, registered during the run
        self.workspaces: dict[str, Workspace] = {}
        self.tasks: dict[str, Task] = {}
        self.tags: dict[str, Tag] = {}
        self.items: dict[str, Item] = {}
        self.reminders: dict[str, Reminder] = {}
        self.invitations: dict[str, Invitation] = {}
        self.push_subscriptions: dict[str, tuple[str, str]] = {}  # id → (user id, endpoint)
        self.verification_links: dict[str, VerificationLink] = {}  # by token
        # The verification links mailed to an address, oldest first: the run's mailbox.
        self.mailed_links: Callable[[str], list[str]] = lambda email: []
        self.gone: dict[str, str] = {}  # deleted ids → kind: ids that existed once
        self.secrets: dict[str, Secret] = {}
        self.tokens: list[str] = []  # the secrets that are tokens (invitations, calendar feeds)
        self.shared: list[str] = []  # the two shared workspaces the run is built around
        # What the activity feed may show: per workspace, and per task across its moves.
        self.workspace_history: dict[str, set[str]] = {}
        self.task_history: dict[str, set[str]] = {}
        self.login_failures: dict[str, int] = {}  # by lower-case e-mail
        self.ip_failures = 0
        self._families = 0

    # -- the rules ------------------------------------------------------------------

    def role(self, user_id: str, workspace_id: str | None) -> Role | None:
        workspace = self.workspaces.get(workspace_id or "")
        return None if workspace is None else workspace.members.get(user_id)

    def read_refusal(self, user_id: str, workspace_id: str | None) -> int | None:
        """None when the user may read the workspace's things, else the status that refuses."""
        return None if self.role(user_id, workspace_id) else 404

    def write_refusal(self, user_id: str, workspace_id: str | None) -> int | None:
        role = self.role(user_id, workspace_id)
        if role is None:
            return 404
        return None if role in WRITERS else 403

    def owner_refusal(self, user_id: str, workspace_id: str | None) -> int | None:
        role = self.role(user_id, workspace_id)
        if role is None:
            return 404
        return None if role == "owner" else 403

    def task_workspace(self, task_id: str) -> str | None:
        task = self.tasks.get(task_id)
        return None if task is None else task.workspace

    def may_see(self, user_id: str | None, secret: Secret) -> bool:
        """Whether `user_id` (None: nobody in particular) may be shown the object now."""
        if user_id is None:
            return False
        kind, key = secret
        if kind == "workspace":
            return self.role(user_id, key) is not None
        if kind == "task":
            return self.role(user_id, self.task_workspace(key)) is not None
        if kind == "tag":
            tag = self.tags.get(key)
            return tag is not None and self.role(user_id, tag.workspace) is not None
        if kind == "item":
            item = self.items.get(key)
            return item is not None and self.role(user_id, self.task_workspace(item.task)) is not None
        if kind == "reminder":
            reminder = self.reminders.get(key)
            return reminder is not None and self.role(user_id, self.task_workspace(reminder.task)) is not None
        if kind == "invitation":
            invitation = self.invitations.get(key)
            return invitation is not None and invitation.inviter == user_id
        if kind == "invitation-id":  # owners see the open invitations of their workspace
            invitation = self.invitations.get(key)
            return invitation is not None and (
                invitation.inviter == user_id or self.role(user_id, invitation.workspace) == "owner"
            )
        if kind == "feed":
            return key == user_id
        if kind == "push-subscription":  # its id or its endpoint's marker: its user's alone
            subscription = self.push_subscriptions.get(key)
            return subscription is not None and subscription[0] == user_id
        raise AssertionError(f"unknown kind {kind}")

    def members_of(self, workspace_id: str) -> list[str]:
        workspace = self.workspaces.get(workspace_id)
        return [] if workspace is None else list(workspace.members)

    def calendar(self, user_id: str, now: datetime) -> set[str]:
        """The ids of the tasks the user's calendar feed lists: open, dated, not long past."""
        return {
            task.id
            for task in self.tasks.values()
            if self.role(user_id, task.workspace)
            and not task.completed
            and task.due is not None
            and task.due >= now - timedelta(days=30)
        }

    # -- changes, as the API makes them -------------------------------------------------

    def remember(self, secret: Secret, *words: str) -> None:
        for word in words:
            if word:
                self.secrets[word] = secret

    def add_user(self, user: User) -> None:
        """A user whose login (and so whose first refresh-token family) happened at set-up."""
        self.users[user.key] = user
        self.by_id[user.id] = user
        self._families += 1
        for token in user.refresh:
            token.family = self._families

    def login(self, user: User, access_token: str, refresh_token: str) -> None:
        self._families += 1
        user.refresh.append(RefreshToken(refresh_token, self._families))
        user.access_token = access_token
        user.session_valid = True
        self.login_failures.pop(user.email.lower(), None)

    def rotate(self, user: User, used: RefreshToken, access_token: str, refresh_token: str) -> None:
        used.used = True
        user.refresh.append(RefreshToken(refresh_token, used.family))
        user.access_token = access_token

    def replayed(self, user: User, token: RefreshToken) -> None:
        """A used refresh token came back: one holder is a thief, and every session ends."""
        self.end_sessions(user)

    def end_sessions(self, user: User) -> None:
        """Logout or a password change: every token of the user stops working."""
        user.token_version += 1
        user.session_valid = False
        for token in user.refresh:
            token.revoked = True

    def add_workspace(self, workspace: Workspace) -> None:
        self.workspaces[workspace.id] = workspace
        self.remember(("workspace", workspace.id), workspace.id, _marker_of(workspace.name))

    def join(self, invitation: Invitation, user_id: str) -> None:
        invitation.accepted = True
        self.workspaces[invitation.workspace].members[user_id] = invitation.role

    def set_role(self, workspace_id: str, user_id: str, role: Role) -> None:
        if role != "owner":
            self._revoke_sent_by(workspace_id, user_id)
        self.workspaces[workspace_id].members[user_id] = role

    def remove_member(self, workspace_id: str, user_id: str) -> None:
        """The member is gone, and with them their reminders on the workspace's tasks and the
        invitations they sent."""
        self._revoke_sent_by(workspace_id, user_id)
        del self.workspaces[workspace_id].members[user_id]
        for reminder in list(self.reminders.values()):
            if reminder.user == user_id and self.task_workspace(reminder.task) == workspace_id:
                self.remove_reminder(reminder)

    def owners(self, workspace_id: str) -> list[str]:
        return [user_id for user_id, role in self.workspaces[workspace_id].members.items() if role == "owner"]

    def pending_invitations(self, workspace_id: str) -> list[Invitation]:
        return [i for i in self.invitations.values() if i.workspace == workspace_id and self.is_open(i)]

    def is_open(self, invitation: Invitation) -> bool:
        return (
            not invitation.accepted
            and not invitation.revoked
            and self.role(invitation.inviter, invitation.workspace) == "owner"
        )

    def invitation_by_id(self, invitation_id: str) -> Invitation | None:
        return next((i for i in self.invitations.values() if i.id == invitation_id), None)

    def _revoke_sent_by(self, workspace_id: str, user_id: str) -> None:
        """Whoever stops being an owner of a workspace takes their open invitations with them."""
        for invitation in self.invitations.values():
            if invitation.workspace == workspace_id and invitation.inviter == user_id and not invitation.accepted:
                invitation.revoked = True

    def add_verification_link(self, user: User, token: str) -> None:
        user.verification_mails += 1
        self.verification_links[token] = VerificationLink(token, user.id)

    def verify(self, link: VerificationLink) -> None:
        self.by_id[link.user].verified = True
        for other in self.verification_links.values():
            if other.user == link.user:
                other.used = True

    def add_task(self, task: Task) -> None:
        self.tasks[task.id] = task
        self.remember(("task", task.id), task.id, _marker_of(task.title), _marker_of(task.description))
        self.event(task)

    def event(self, task: Task) -> None:
        """A task event (the outbox): what the activity feeds may show from now on."""
        words = {task.id, _marker_of(task.title)}
        self.workspace_history.setdefault(task.workspace, set()).update(words)
        self.task_history.setdefault(task.id, set()).update({*words, task.workspace})

    def retitle(self, task: Task, title: str) -> None:
        task.title = title
        self.remember(("task", task.id), _marker_of(title))

    def move(self, task: Task, workspace_id: str) -> None:
        task.workspace = workspace_id
        # A tag belongs to one workspace: the moved task cannot keep the old one's. And a
        # reminder must not tell anyone about a task they can no longer see.
        task.tags.clear()
        for reminder_id in list(task.reminders):
            reminder = self.reminders[reminder_id]
            if self.role(reminder.user, workspace_id) is None:
                self.remove_reminder(reminder)

    def advance(self, task: Task, completed: bool) -> None:
        """A recurring task's occurrence is done or skipped: the next one is a day later."""
        assert task.due is not None
        task.due += DAY
        task.occurrences += 1
        task.completions += completed

    def delete_task(self, task: Task) -> None:
        for item_id in task.items:
            self._forget(self.items, item_id, "item")
        for reminder_id in task.reminders:
            self._forget(self.reminders, reminder_id, "reminder")
        self._forget(self.tasks, task.id, "task")

    def add_tag(self, tag: Tag) -> None:
        self.tags[tag.id] = tag
        self.remember(("tag", tag.id), tag.id, _marker_of(tag.name))

    def carriers(self, tag_id: str) -> list[Task]:
        return [task for task in self.tasks.values() if tag_id in task.tags]

    def change_tag(self, tag: Tag, name: str | None, color: str | None) -> None:
        if name is not None:
            tag.name = name
            self.remember(("tag", tag.id), _marker_of(name))
        if color is not None:
            tag.color = color
        for task in self.carriers(tag.id):
            task.version += 1

    def delete_tag(self, tag: Tag) -> None:
        for task in self.carriers(tag.id):
            task.version += 1
            del task.tags[tag.id]
        self._forget(self.tags, tag.id, "tag")

    def tag_named(self, workspace_id: str, name: str) -> Tag | None:
        return next(
            (tag for tag in self.tags.values() if tag.workspace == workspace_id and tag.name.lower() == name.lower()),
            None,
        )

    def add_item(self, item: Item) -> None:
        self.items[item.id] = item
        self.tasks[item.task].items.append(item.id)
        self.tasks[item.task].version += 1
        self.remember(("item", item.id), item.id, _marker_of(item.text))

    def remove_item(self, item: Item) -> None:
        task = self.tasks[item.task]
        task.items.remove(item.id)
        task.version += 1
        self._forget(self.items, item.id, "item")

    def add_reminder(self, reminder: Reminder) -> None:
        self.reminders[reminder.id] = reminder
        self.tasks[reminder.task].reminders[reminder.id] = None
        self.remember(("reminder", reminder.id), reminder.id)

    def remove_reminder(self, reminder: Reminder) -> None:
        del self.tasks[reminder.task].reminders[reminder.id]
        self._forget(self.reminders, reminder.id, "reminder")

    def add_invitation(self, invitation: Invitation) -> None:
        self.invitations[invitation.token] = invitation
        self.remember(("invitation", invitation.token), invitation.token)
        self.remember(("invitation-id", invitation.token), invitation.id)
        self.tokens.append(invitation.token)

    def new_feed(self, user: User, token: str) -> None:
        if user.feed:
            user.old_feeds.append(user.feed)
        user.feed = token
        self.remember(("feed", user.id), token)
        self.tokens.append(token)

    def revoke_feed(self, user: User) -> None:
        assert user.feed is not None
        user.old_feeds.append(user.feed)
        user.feed = None

    def _forget(self, table: dict[str, Any], key: str, kind: str) -> None:
        del table[key]
        self.gone[key] = kind

    # -- what the database should hold -------------------------------------------------

    def expected_rows(self) -> dict[str, set[tuple[object, ...]]]:
        """The model's rows, in the shape tests/functional/authorization/database.py reads them."""
        ours = set(self.workspaces)
        return {
            "workspaces": {(w.id, w.name, w.personal, w.creator) for w in self.workspaces.values()},
            "memberships": {
                (w.id, user_id, role) for w in self.workspaces.values() for user_id, role in w.members.items()
            },
            "tasks": {
                (
                    t.id,
                    t.workspace,
                    t.owner,
                    t.title,
                    t.description,
                    t.completed,
                    t.priority,
                    t.due,
                    t.recurring,
                    t.version,
                    t.occurrences,
                )
                for t in self.tasks.values()
            },
            "tags": {(g.id, g.workspace, g.name, g.color) for g in self.tags.values()},
            "task_tags": {(t.id, tag_id) for t in self.tasks.values() for tag_id in t.tags},
            "checklist_items": {
                (item_id, t.id, self.items[item_id].text, self.items[item_id].done, position)
                for t in self.tasks.values()
                for position, item_id in enumerate(t.items)
            },
            "reminders": {(r.id, r.task, r.user) for r in self.reminders.values()},
            "invitations": {
                (_sha256(i.token), i.id, i.workspace, i.email, i.role, i.inviter, i.accepted, i.revoked)
                for i in self.invitations.values()
                if i.workspace in ours
            },
            "calendar_feeds": {(u.id, _sha256(u.feed)) for u in self.users.values() if u.feed},
            "users": {
                (u.id, u.email, u.display_name, u.digest_hour, u.token_version, u.verified) for u in self.users.values()
            },
        }


def marker(bits: int) -> str:
    """A word that names one object: found in a body, it says whose data that is."""
    return f"mk{bits:010x}"


MARKER_LENGTH = 12


def _marker_of(text: str) -> str:
    index = text.find("mk")
    while index >= 0:
        word = text[index : index + MARKER_LENGTH]
        if len(word) == MARKER_LENGTH and all(c in "0123456789abcdef" for c in word[2:]):
            return word
        index = text.find("mk", index + 1)
    return ""


def _sha256(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
