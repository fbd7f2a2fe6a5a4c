-- A workspace's cache generation lives with its data: a write bumps it in its own
-- transaction, so no Redis outage can leave an older cached answer looking current.
ALTER TABLE workspaces ADD COLUMN cache_generation bigint NOT NULL DEFAULT 0;

CREATE FUNCTION bump_workspace_generation() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        UPDATE workspaces SET cache_generation = cache_generation + 1 WHERE id = OLD.workspace_id;
    END IF;
    IF TG_OP <> 'DELETE' THEN
        UPDATE workspaces SET cache_generation = cache_generation + 1 WHERE id = NEW.workspace_id;
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER tasks_bump_generation AFTER INSERT OR UPDATE OR DELETE ON tasks
    FOR EACH ROW EXECUTE FUNCTION bump_workspace_generation();
CREATE TRIGGER tags_bump_generation AFTER INSERT OR UPDATE OR DELETE ON tags
    FOR EACH ROW EXECUTE FUNCTION bump_workspace_generation();
