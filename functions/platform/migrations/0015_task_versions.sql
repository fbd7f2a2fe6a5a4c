-- Every change of a task is kept as a version: its fields (workspace included), its tags and its
-- checklist as they stood, who made the change and which fields it changed. Database triggers
-- write them, so every write path (one PATCH, a batch, an import, a completed occurrence, a tag
-- or checklist change, a restore) is versioned without code of its own.
--
-- One version per transaction per task: the triggers are deferred to the commit, where the
-- first one to fire for a task writes the version from the task's final state and the rest
-- find it written. A transaction that changes nothing a version holds (a tag renamed: the
-- task's tags are the same tags) writes none.
--
-- The actor is the transaction-local setting taskforge.actor_id, which every authenticated
-- request sets in the statement that checks its session (auth.ensure_current); a write with no
-- actor (a migration, an operator's SQL) is recorded with none.
--
-- Kept: the first version and the last 100 of each task (versions.KEPT). A task's versions go
-- with it: deleting a task deletes them (the SPA's undo of a delete comes before the DELETE).

CREATE TABLE task_versions (
    task_id       uuid NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
    number        integer NOT NULL CHECK (number >= 1),  -- 1, 2, … per task
    created_at    timestamptz NOT NULL DEFAULT clock_timestamp(),
    actor_id      uuid REFERENCES users (id) ON DELETE SET NULL,
    changed       text[] NOT NULL,  -- the fields that differ from the version before; none for the first
    snapshot      jsonb NOT NULL,
    task_version  integer NOT NULL,  -- tasks.version once the change was made: the task's ETag then
    xact          xid8 NOT NULL DEFAULT pg_current_xact_id(),  -- the transaction that wrote it
    PRIMARY KEY (task_id, number)
);

-- A task as a version holds it: its columns but the ones the server owns, its tags (id and
-- name, the workspace's order) and its checklist (in order). Columns later migrations add to
-- tasks are in it too.
CREATE FUNCTION task_snapshot(task tasks) RETURNS jsonb LANGUAGE sql STABLE AS $$
    SELECT (to_jsonb(task) - ARRAY['id', 'owner_id', 'created_at', 'updated_at', 'version'])
        || jsonb_build_object(
            'tags', COALESCE((SELECT jsonb_agg(jsonb_build_object('id', g.id, 'name', g.name) ORDER BY lower(g.name), g.id)
                              FROM task_tags tt JOIN tags g ON g.id = tt.tag_id WHERE tt.task_id = task.id), '[]'::jsonb),
            'checklist', COALESCE((SELECT jsonb_agg(jsonb_build_object('id', c.id, 'text', c.text, 'done', c.done)
                                                    ORDER BY c.position, c.id)
                                   FROM checklist_items c WHERE c.task_id = task.id), '[]'::jsonb))
$$;

-- The fields of `after` that differ from `before`. Tags count by id (a renamed tag is the same
-- tag); the columns that follow from others (completed_at from completed, the series' wall-clock
-- times from the due date and the rule) are not fields of their own.
CREATE FUNCTION task_snapshot_changes(before jsonb, after jsonb) RETURNS text[] LANGUAGE sql IMMUTABLE AS $$
    SELECT COALESCE(array_agg(key ORDER BY key), '{}')
    FROM (SELECT jsonb_object_keys(before || after) AS key) AS keys
    WHERE key NOT IN ('completed_at', 'series_start', 'occurrence_local')
      AND CASE WHEN key = 'tags'
               THEN (SELECT COALESCE(jsonb_agg(e -> 'id' ORDER BY e ->> 'id'), '[]') FROM jsonb_array_elements(before -> 'tags') e)
                    IS DISTINCT FROM
                    (SELECT COALESCE(jsonb_agg(e -> 'id' ORDER BY e ->> 'id'), '[]') FROM jsonb_array_elements(after -> 'tags') e)
               ELSE before -> key IS DISTINCT FROM after -> key END
$$;

-- TG_ARGV[0]: the column of the changed row that names its task.
CREATE FUNCTION record_task_version() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    target uuid := (CASE TG_OP WHEN 'DELETE' THEN to_jsonb(OLD) ELSE to_jsonb(NEW) END ->> TG_ARGV[0])::uuid;
    task tasks;
    latest task_versions;
    state jsonb;
    changes text[] := '{}';
    next_number integer := 1;
BEGIN
    -- The task's lock orders the versions of writers that touched only its tags or checklist.
    SELECT * INTO task FROM tasks WHERE id = target FOR NO KEY UPDATE;
    IF NOT FOUND THEN
        RETURN NULL;  -- deleted in this transaction: its versions went with it
    END IF;
    SELECT * INTO latest FROM task_versions WHERE task_id = target ORDER BY number DESC LIMIT 1;
    IF latest.xact = pg_current_xact_id() THEN
        RETURN NULL;  -- this transaction's version is written, from the task as it commits
    END IF;
    state := task_snapshot(task);
    IF latest.number IS NOT NULL THEN
        changes := task_snapshot_changes(latest.snapshot, state);
        IF cardinality(changes) = 0 THEN
            RETURN NULL;
        END IF;
        next_number := latest.number + 1;
    END IF;
    INSERT INTO task_versions (task_id, number, actor_id, changed, snapshot, task_version)
    VALUES (target, next_number, NULLIF(current_setting('taskforge.actor_id', true), '')::uuid, changes, state,
            task.version);
    -- The first version and the last 100 are kept (versions.KEPT).
    DELETE FROM task_versions WHERE task_id = target AND number > 1 AND number <= next_number - 100;
    RETURN NULL;
END $$;

-- The tasks there are now start from their present state, as version 1 by no one.
INSERT INTO task_versions (task_id, number, created_at, actor_id, changed, snapshot, task_version)
SELECT t.id, 1, t.updated_at, NULL, '{}', task_snapshot(t), t.version FROM tasks t;

CREATE CONSTRAINT TRIGGER tasks_record_version AFTER INSERT OR UPDATE ON tasks
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION record_task_version('id');
CREATE CONSTRAINT TRIGGER task_tags_record_version AFTER INSERT OR UPDATE OR DELETE ON task_tags
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION record_task_version('task_id');
CREATE CONSTRAINT TRIGGER checklist_items_record_version AFTER INSERT OR UPDATE OR DELETE ON checklist_items
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION record_task_version('task_id');
