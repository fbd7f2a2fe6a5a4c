"""What an import reads and answers. Every imported task is validated as the API validates a
new task (the same title, description, priority, instant, rule and zone rules), so an import
can store nothing the API itself would refuse."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import ConfigDict, Field, StrictBool

from functions.domain.checklists.models import ItemText
from functions.domain.tags.models import Color, TagName
from functions.domain.tasks.models import Description, Id, Instant, Priority, Rule, Title
from functions.platform.models import Body, TimeZone

# One request's worth: what a Todoist export of a large account holds, and what one
# transaction writes well within a request's time limit (benchmarks/RESULTS.md).
MAX_IMPORT_TASKS = 10_000
MAX_CHECKLIST_ITEMS = 200  # a checklist's own limit (functions/domain/checklists)
DEFAULT_TAG_COLOR = "#808080"

ImportFormat = Literal["taskforge-json", "todoist-csv"]


class ImportedTag(Body):
    name: TagName
    color: Color = DEFAULT_TAG_COLOR


class ImportedItem(Body):
    text: ItemText
    done: StrictBool = False


class ImportedTask(Body):
    """One task as a file describes it; `workspace`, `created_at` and `completed_at` of our own
    export are read past (the task goes to the chosen workspace and is created now)."""

    model_config = ConfigDict(extra="ignore")

    title: Title
    description: Description = ""
    completed: StrictBool = False
    priority: Priority = 2
    due_date: Instant | None = None
    recurrence: Rule | None = None
    timezone: TimeZone | None = None
    tags: list[ImportedTag] = Field(default_factory=list, max_length=50)
    checklist: list[ImportedItem] = Field(default_factory=list, max_length=MAX_CHECKLIST_ITEMS)


class ImportRequest(Body):
    workspace_id: Id | None = Field(default=None, description="where the tasks go; default: the personal workspace")
    format: ImportFormat = Field(description="taskforge-json: our own export; todoist-csv: a Todoist project export")
    content: Annotated[str, Field(min_length=1, description="the file's text")]


class ImportProblem(Body):
    line: int = Field(ge=0, description="the file's line (CSV) or the task's position in `tasks` (JSON), from 1")
    detail: str


class ImportResult(Body):
    created: int = Field(ge=0)
    skipped: int = Field(ge=0, description="tasks already in the workspace (same title and due date)")
    errors: list[ImportProblem] = Field(description="empty when the import was written")
