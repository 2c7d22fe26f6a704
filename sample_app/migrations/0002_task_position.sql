ALTER TABLE tasks ADD COLUMN position INTEGER NOT NULL DEFAULT 0;
CREATE INDEX tasks_by_project ON tasks (project_id, position);
