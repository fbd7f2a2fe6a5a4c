-- A task's place in its list's manual order: a fractional key (functions/domain/tasks/positions.py)
-- compared byte-wise, so a move writes one row. Unique within the workspace: two tasks never
-- share a place, and (workspace_id, position) is the keyset of GET /api/tasks?sort=position.
-- Checked at the end of each statement (DEFERRABLE INITIALLY IMMEDIATE), so that one UPDATE
-- can renumber a whole list whose keys it swaps around.
ALTER TABLE tasks ADD COLUMN position text COLLATE "C";

-- Existing tasks keep the order they were created in: the integer keys 'e0000', 'e0001', …
-- ('e' and five base-62 digits, room for 916 million tasks in a workspace; more would repeat a
-- key and the unique index below would stop the migration, not mislabel a list). The cache
-- generation trigger is off meanwhile (it would update a workspace row per task); every
-- workspace's generation moves once below, as its cached pages lack the new field.
ALTER TABLE tasks DISABLE TRIGGER tasks_bump_generation;
WITH numbered AS (
    SELECT id, row_number() OVER (PARTITION BY workspace_id ORDER BY created_at, id) - 1 AS n FROM tasks
), digits AS (
    SELECT '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz'::text AS d
)
UPDATE tasks t SET position = 'e'
    || substr(d, (n / 14776336 % 62)::int + 1, 1) || substr(d, (n / 238328 % 62)::int + 1, 1)
    || substr(d, (n / 3844 % 62)::int + 1, 1) || substr(d, (n / 62 % 62)::int + 1, 1)
    || substr(d, (n % 62)::int + 1, 1)
FROM numbered, digits WHERE numbered.id = t.id;
ALTER TABLE tasks ENABLE TRIGGER tasks_bump_generation;
UPDATE workspaces SET cache_generation = cache_generation + 1;

-- A row written without a position (by SQL around the API) goes to the end of its list without
-- reading it: 'z' and 26 digits is the largest integer part, here the clock in microseconds (13
-- digits) then 13 random ones, after every key the server hands out until its keys reach 'z'.
CREATE FUNCTION task_position_at_end() RETURNS text LANGUAGE sql VOLATILE AS $$
    WITH digits AS (SELECT '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz'::text AS d),
    now_us AS (SELECT floor(extract(epoch FROM clock_timestamp()) * 1000000)::numeric AS n)
    SELECT 'z'
        || (SELECT string_agg(substr(d, (floor(n / 62::numeric ^ i) % 62)::int + 1, 1), '' ORDER BY i DESC)
            FROM digits, now_us, generate_series(0, 12) AS i)
        || (SELECT string_agg(substr(d, floor(random() * 62)::int + 1, 1), '') FROM digits, generate_series(1, 13))
$$;

ALTER TABLE tasks ALTER COLUMN position SET DEFAULT task_position_at_end(), ALTER COLUMN position SET NOT NULL,
    ADD CONSTRAINT tasks_position_key_shape CHECK (char_length(position) <= 200 AND position ~ '^[0-9A-Za-z]+$');
ALTER TABLE tasks ADD CONSTRAINT tasks_workspace_position UNIQUE (workspace_id, position) DEFERRABLE INITIALLY IMMEDIATE;
