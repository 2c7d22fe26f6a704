-- Broken on purpose (fault `broken_migration`): the table is `tasks`, not `task`.
ALTER TABLE task ADD COLUMN priority INTEGER NOT NULL DEFAULT 0;
