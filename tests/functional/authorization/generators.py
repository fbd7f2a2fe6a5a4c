"""One request generator per catalog route: what to send, what the rules say the answer
must be, how the world changes when it succeeds, and what a successful body must hold.

GENERATORS is keyed by the catalog's route keys ("METHOD /template"); a catalog route
without an entry fails the suite (test_random_matrix.py), and so does an entry for a
route the catalog no longer has. Covering a new route is one entry here: a function
from a Step (seeded randomness, the world, the acting user) to a Plan (plans.py); the
routes_*.py modules hold them, with builders (`plan_*`) that take explicit arguments
so the set-up reuses them.
"""

from __future__ import annotations

from . import routes_account as account
from . import routes_agenda as agenda
from . import routes_push as push
from . import routes_task_parts as parts
from . import routes_tasks as tasks
from . import routes_transfer as transfer
from . import routes_verification as verification
from . import routes_workspaces as workspaces
from .plans import Generator

GENERATORS: dict[str, Generator] = {
    "GET /health": account.public("/health"),
    "GET /ready": account.public("/ready"),
    "GET /api/health": account.public("/api/health"),
    "GET /api/ready": account.public("/api/ready"),
    "POST /api/auth/register": account.register,
    "POST /api/auth/login": account.login,
    "POST /api/auth/refresh": account.refresh,
    "POST /api/auth/logout": account.logout,
    "GET /api/auth/me": account.get_me,
    "POST /api/auth/password": account.change_password,
    "POST /api/auth/password-reset": account.request_password_reset,
    "POST /api/auth/password-reset/{token}": account.reset_password,
    "POST /api/auth/verification": verification.request_verification,
    "POST /api/auth/verify-email": verification.verify_email,
    "GET /api/tasks": tasks.list_tasks,
    "POST /api/tasks": tasks.create_task,
    "POST /api/tasks/batch": tasks.create_tasks_batch,
    "PATCH /api/tasks": tasks.batch_patch_tasks,
    "DELETE /api/tasks": tasks.batch_delete_tasks,
    "GET /api/tasks/{task_id}": tasks.get_task,
    "PATCH /api/tasks/{task_id}": tasks.patch_task,
    "DELETE /api/tasks/{task_id}": tasks.delete_task,
    "GET /api/stats": tasks.get_stats,
    "GET /api/stats/history": tasks.get_stats_history,
    "GET /api/agenda": agenda.list_agenda,
    "GET /api/agenda/counts": agenda.agenda_counts,
    "POST /api/tasks/{task_id}/skip": tasks.skip_occurrence,
    "GET /api/tasks/{task_id}/versions": tasks.list_task_versions,
    "POST /api/tasks/{task_id}/versions/{version}/restore": tasks.restore_task_version,
    "POST /api/workspaces": workspaces.create_workspace,
    "GET /api/workspaces": workspaces.list_workspaces,
    "POST /api/workspaces/{workspace_id}/invitations": workspaces.create_invitation,
    "POST /api/invitations/{token}/accept": workspaces.accept_invitation,
    "GET /api/invitations/{token}": workspaces.read_invitation,
    "DELETE /api/workspaces/{workspace_id}/invitations/{invitation_id}": workspaces.revoke_invitation,
    "GET /api/workspaces/{workspace_id}/members": workspaces.list_members,
    "PATCH /api/workspaces/{workspace_id}/members/{user_id}": workspaces.change_member_role,
    "DELETE /api/workspaces/{workspace_id}/members/{user_id}": workspaces.remove_member,
    "POST /api/tags": parts.create_tag,
    "GET /api/tags": parts.list_tags,
    "PATCH /api/tags/{tag_id}": parts.patch_tag,
    "DELETE /api/tags/{tag_id}": parts.delete_tag,
    "PUT /api/tasks/{task_id}/tags/{tag_id}": parts.attach_tag,
    "DELETE /api/tasks/{task_id}/tags/{tag_id}": parts.detach_tag,
    "GET /api/tasks/{task_id}/checklist": parts.list_checklist,
    "POST /api/tasks/{task_id}/checklist": parts.add_checklist_item,
    "PATCH /api/tasks/{task_id}/checklist/{item_id}": parts.patch_checklist_item,
    "DELETE /api/tasks/{task_id}/checklist/{item_id}": parts.delete_checklist_item,
    "POST /api/tasks/{task_id}/reminders": parts.create_reminder,
    "GET /api/tasks/{task_id}/reminders": parts.list_reminders,
    "DELETE /api/tasks/{task_id}/reminders/{reminder_id}": parts.delete_reminder,
    "GET /api/activity": tasks.list_activity,
    "GET /api/tasks/{task_id}/activity": tasks.task_activity,
    "PATCH /api/auth/me": account.patch_me,
    "GET /api/push/vapid-public-key": account.public("/api/push/vapid-public-key"),
    "POST /api/push-subscriptions": push.create_push_subscription,
    "GET /api/push-subscriptions": push.list_push_subscriptions,
    "DELETE /api/push-subscriptions/{subscription_id}": push.delete_push_subscription,
    "POST /api/calendar-feed": account.create_calendar_feed,
    "DELETE /api/calendar-feed": account.delete_calendar_feed,
    "GET /api/calendar/{token}": account.get_calendar,
    "GET /api/export": transfer.export_tasks,
    "POST /api/import": transfer.import_tasks,
    "GET /api/openapi.json": account.public("/api/openapi.json"),
    "GET /api/docs": account.public("/api/docs"),
}

# How often each route is drawn, relative to 1.0: password hashing makes the account
# routes slow, and the routes that end sessions or add workspaces change the world a lot;
# changing a task includes moving it to another workspace, the write that crosses them.
WEIGHTS: dict[str, float] = {
    "PATCH /api/tasks/{task_id}": 2.0,
    "POST /api/auth/register": 0.2,
    "POST /api/auth/login": 0.4,
    "POST /api/auth/password": 0.15,
    # Every answer waits out the same floor (half a second), whether or not the address has an account.
    "POST /api/auth/password-reset": 0.1,
    "POST /api/auth/logout": 0.2,
    "POST /api/workspaces": 0.15,
    "DELETE /api/workspaces/{workspace_id}/members/{user_id}": 0.5,
    "GET /api/docs": 0.3,
    "GET /api/openapi.json": 0.3,
    "GET /health": 0.3,
    "GET /ready": 0.3,
    "GET /api/health": 0.3,
    "GET /api/ready": 0.3,
}
