-- A write bumps its workspace's cache generation once per statement, not once per row: an
-- import COPYing 10,000 tasks updated the workspace row 10,000 times in one transaction, each
-- update walking the longer chain of versions the last ones left (4.2 s of a 4.6 s COPY).
-- The generation still moves in the transaction of every write that changes a task or tag,
-- which is all a reader needs of it (functions/platform/dependencies.py). PostgreSQL takes a
-- transition table on a trigger of one event only, hence one trigger per event.

DROP TRIGGER tasks_bump_generation ON tasks;
DROP TRIGGER tags_bump_generation ON tags;
DROP FUNCTION bump_workspace_generation();

CREATE FUNCTION bump_generation_of_new_rows() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE workspaces SET cache_generation = cache_generation + 1
    WHERE id IN (SELECT workspace_id FROM new_rows);
    RETURN NULL;
END $$;

CREATE FUNCTION bump_generation_of_changed_rows() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE workspaces SET cache_generation = cache_generation + 1
    WHERE id IN (SELECT workspace_id FROM old_rows UNION SELECT workspace_id FROM new_rows);
    RETURN NULL;
END $$;

CREATE FUNCTION bump_generation_of_old_rows() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE workspaces SET cache_generation = cache_generation + 1
    WHERE id IN (SELECT workspace_id FROM old_rows);
    RETURN NULL;
END $$;

CREATE TRIGGER tasks_bump_generation_insert AFTER INSERT ON tasks
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION bump_generation_of_new_rows();
CREATE TRIGGER tasks_bump_generation_update AFTER UPDATE ON tasks
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION bump_generation_of_changed_rows();
CREATE TRIGGER tasks_bump_generation_delete AFTER DELETE ON tasks
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION bump_generation_of_old_rows();

CREATE TRIGGER tags_bump_generation_insert AFTER INSERT ON tags
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION bump_generation_of_new_rows();
CREATE TRIGGER tags_bump_generation_update AFTER UPDATE ON tags
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION bump_generation_of_changed_rows();
CREATE TRIGGER tags_bump_generation_delete AFTER DELETE ON tags
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION bump_generation_of_old_rows();
