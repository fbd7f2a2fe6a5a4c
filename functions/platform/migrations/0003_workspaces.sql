-- Workspaces: every task and tag belongs to one; members hold a role in it.

ALTER TABLE users
    ADD COLUMN timezone text NOT NULL DEFAULT 'UTC' CHECK (char_length(timezone) <= 64),
    ADD COLUMN reminder_webhook_url text CHECK (char_length(reminder_webhook_url) <= 2048);

CREATE TABLE workspaces (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    name        text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 100),
    personal    boolean NOT NULL DEFAULT false,
    created_by  uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at  timestamptz NOT NULL DEFAULT now()
);
-- Exactly one personal workspace per user.
CREATE UNIQUE INDEX workspaces_one_personal ON workspaces (created_by) WHERE personal;

CREATE TABLE memberships (
    workspace_id  uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    user_id       uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role          text NOT NULL CHECK (role IN ('owner', 'editor', 'viewer')),
    created_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (workspace_id, user_id)
);
CREATE INDEX memberships_user ON memberships (user_id);

CREATE TABLE invitations (
    token_hash    text PRIMARY KEY,
    workspace_id  uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    email         citext NOT NULL,
    role          text NOT NULL CHECK (role IN ('editor', 'viewer')),
    invited_by    uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at    timestamptz NOT NULL DEFAULT now(),
    expires_at    timestamptz NOT NULL,
    accepted_at   timestamptz
);
CREATE INDEX invitations_workspace ON invitations (workspace_id);

-- Every existing user gets a personal workspace, and their tasks move into it.
INSERT INTO workspaces (name, personal, created_by)
    SELECT 'Personal', true, id FROM users;
INSERT INTO memberships (workspace_id, user_id, role)
    SELECT id, created_by, 'owner' FROM workspaces WHERE personal;

ALTER TABLE tasks ADD COLUMN workspace_id uuid REFERENCES workspaces (id) ON DELETE CASCADE;
UPDATE tasks SET workspace_id = w.id FROM workspaces w WHERE w.personal AND w.created_by = tasks.owner_id;
ALTER TABLE tasks ALTER COLUMN workspace_id SET NOT NULL;

-- Pages are per workspace now; owner_id stays as the task's creator.
DROP INDEX tasks_owner_created;
DROP INDEX tasks_owner_due;
DROP INDEX tasks_owner_priority;
CREATE INDEX tasks_workspace_created ON tasks (workspace_id, created_at, id);
CREATE INDEX tasks_workspace_due ON tasks (workspace_id, (COALESCE(due_date, 'infinity'::timestamptz)), id);
CREATE INDEX tasks_workspace_priority ON tasks (workspace_id, priority, id);
CREATE INDEX tasks_owner ON tasks (owner_id);

CREATE TABLE tags (
    id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    workspace_id  uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    name          text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 50),
    color         text NOT NULL CHECK (color ~ '^#[0-9a-f]{6}$'),
    created_at    timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX tags_unique_name ON tags (workspace_id, lower(name));

CREATE TABLE task_tags (
    task_id  uuid NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
    tag_id   uuid NOT NULL REFERENCES tags (id) ON DELETE CASCADE,
    PRIMARY KEY (task_id, tag_id)
);
CREATE INDEX task_tags_tag ON task_tags (tag_id, task_id);

CREATE TABLE checklist_items (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    task_id     uuid NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
    text        text NOT NULL CHECK (char_length(text) BETWEEN 1 AND 500),
    done        boolean NOT NULL DEFAULT false,
    position    integer NOT NULL CHECK (position >= 0),
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX checklist_items_task ON checklist_items (task_id, position);

-- Recurrence: the task row is the series' one open occurrence; its rule is evaluated
-- in the task's IANA timezone from the series' first wall-clock time.
ALTER TABLE tasks
    ADD COLUMN recurrence text CHECK (char_length(recurrence) <= 500),
    ADD COLUMN timezone text CHECK (char_length(timezone) <= 64),
    ADD COLUMN series_start timestamp,
    ADD COLUMN occurrence_local timestamp;

-- What happened to each past occurrence of a recurring task.
CREATE TABLE task_occurrences (
    id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    task_id       uuid NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
    due_date      timestamptz NOT NULL,
    outcome       text NOT NULL CHECK (outcome IN ('completed', 'skipped')),
    completed_at  timestamptz,
    recorded_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX task_occurrences_task ON task_occurrences (task_id, due_date);
