-- Search matches each word anywhere in a task's title or description, in any case: "1234"
-- finds "PR-1234", "port" finds "report". The searched text is title, a space, description,
-- lowercased (a search word has no spaces, so it never matches across the two); a trigram
-- index on exactly that expression serves the words too rare for a walk of the sort order's
-- index (tasks.list_page chooses, page by page). A plain CREATE INDEX, as the migration runs in
-- a transaction: writes to tasks wait while it builds, reads do not (timed in
-- benchmarks/RESULTS.md).
CREATE INDEX tasks_text_trgm ON tasks USING gin (lower(title || ' ' || description) gin_trgm_ops);

-- Statistics on the new expression, so that the planner knows how common a word is from the
-- first search on rather than after autovacuum's next ANALYZE.
ANALYZE tasks;

-- Nothing reads the word-prefix tsvector (0002) or the title-only trigram index any more, and
-- both cost every write. Last, as they lock out reads until the transaction ends; dropping the
-- generated column changes the catalog only, no rewrite.
DROP INDEX tasks_title_trgm;
ALTER TABLE tasks DROP COLUMN search;
