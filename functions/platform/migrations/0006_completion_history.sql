-- The completion chart counts completions per day in a workspace.
CREATE INDEX tasks_workspace_completed ON tasks (workspace_id, completed_at) WHERE completed_at IS NOT NULL;
