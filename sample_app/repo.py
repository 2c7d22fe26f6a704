"""Queries: users, projects and their tasks."""

from __future__ import annotations

import hashlib
import hmac
import os

from sample_app.db import Connection, Database, Row

ITERATIONS = 100_000


def hash_password(password: str, salt: bytes | None = None) -> str:
    salt = salt or os.urandom(16)
    digest = hashlib.pbkdf2_hmac("sha256", password.encode(), salt, ITERATIONS)
    return f"{salt.hex()}${digest.hex()}"


def check_password(password: str, stored: str) -> bool:
    salt, _, expected = stored.partition("$")
    digest = hashlib.pbkdf2_hmac("sha256", password.encode(), bytes.fromhex(salt), ITERATIONS)
    return hmac.compare_digest(digest.hex(), expected)


def find_user(conn: Connection, username: str) -> Row | None:
    return conn.one("SELECT * FROM users WHERE username = ?", (username,))


def list_projects(conn: Connection, query: str = "") -> list[Row]:
    sql = (
        "SELECT p.id, p.name, p.description, COUNT(t.id) AS task_count"
        " FROM projects p LEFT JOIN tasks t ON t.project_id = p.id"
        " WHERE LOWER(p.name) LIKE ? GROUP BY p.id, p.name, p.description ORDER BY p.id"
    )
    return conn.all(sql, (f"%{query.lower()}%",))


def get_project(conn: Connection, project_id: int) -> Row | None:
    return conn.one("SELECT * FROM projects WHERE id = ?", (project_id,))


def name_taken(conn: Connection, name: str, other_than: int = 0) -> bool:
    row = conn.one(
        "SELECT id FROM projects WHERE LOWER(name) = ? AND id <> ?", (name.lower(), other_than)
    )
    return row is not None


def create_project(conn: Connection, name: str, description: str) -> int:
    row = conn.one(
        "INSERT INTO projects (name, description) VALUES (?, ?) RETURNING id", (name, description)
    )
    assert row is not None
    return int(row["id"])


def update_project(conn: Connection, project_id: int, name: str, description: str) -> None:
    conn.execute(
        "UPDATE projects SET name = ?, description = ? WHERE id = ?",
        (name, description, project_id),
    )


def list_tasks(conn: Connection, project_id: int) -> list[Row]:
    return conn.all(
        "SELECT id, title, done FROM tasks WHERE project_id = ? ORDER BY position, id",
        (project_id,),
    )


def add_task(conn: Connection, project_id: int, title: str) -> None:
    conn.execute(
        "INSERT INTO tasks (project_id, title, position) VALUES (?, ?, ?)",
        (project_id, title, len(list_tasks(conn, project_id))),
    )


def set_task_done(conn: Connection, task_id: int, done: bool) -> Row | None:
    conn.execute("UPDATE tasks SET done = ? WHERE id = ?", (done, task_id))
    return conn.one("SELECT id, title, done, project_id FROM tasks WHERE id = ?", (task_id,))


USERS = [("demo", "Demo User", "demo-password")]
PROJECTS = [
    (1, "Apollo", "Landing page redesign", ["Write copy", "Pick hero image", "Ship it"]),
    (2, "Borealis", "Billing migration", ["Export invoices", "Switch provider"]),
    (3, "Cassini", "Mobile app beta", ["Invite testers"]),
]


def seed(db: Database, faults: frozenset[str]) -> list[str]:
    """Reset the baseline data: the demo user and three projects with their tasks."""
    names = []
    with db.connect() as conn:
        for table in ("tasks", "projects", "users"):
            conn.execute(f"DELETE FROM {table}")  # noqa: S608 - fixed table names
        for username, display, password in USERS:
            conn.execute(
                "INSERT INTO users (username, display_name, password_hash) VALUES (?, ?, ?)",
                (username, display, hash_password(password)),
            )
        for project_id, name, description, tasks in PROJECTS:
            if project_id == 1 and "seed_missing" in faults:
                continue
            conn.execute(
                "INSERT INTO projects (id, name, description) VALUES (?, ?, ?)",
                (project_id, name, description),
            )
            for position, title in enumerate(tasks):
                conn.execute(
                    "INSERT INTO tasks (project_id, title, position) VALUES (?, ?, ?)",
                    (project_id, title, position),
                )
            names.append(name)
        if db.url:  # explicit ids do not move PostgreSQL's identity sequences
            for table in ("projects", "tasks", "users"):
                conn.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608
                    f"COALESCE((SELECT MAX(id) FROM {table}), 0) + 1, false)"
                )
    return names
