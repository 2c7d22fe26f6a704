"""Fault switches: make the real app or its environment fail, one switch per situation.

Read only here, from SAMPLE_APP_FAULTS (comma-separated names) or the file named by
SAMPLE_APP_FAULTS_FILE (one name per line), so the pipeline never sees the switch itself,
only what the failure does.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

FAULTS = {
    "drift_id": "the 'New project' button's CSS id is renamed",
    "drift_testid": "the project rows' data-testid is renamed",
    "drift_label": "the 'Project name' field's label is renamed",
    "drift_text": "the 'Add task' button's visible text is renamed",
    "drift_removed": "the 'Add task' button is removed from the project page",
    "slow": "the project list API answers after 8 seconds",
    "storage_state_missing": "the auth step does not write the storage state",
    "session_expired": "sessions issued before the server started are expired",
    "seed_missing": "seeding skips project 1 (Apollo), which the tests rely on",
    "server_error": "the task list API raises an exception",
    "db_unreachable": "the app connects to a database port where nothing listens",
    "broken_migration": "a migration alters a table that does not exist",
    "flaky": "the first task list request after seeding answers after 8 seconds",
}


class UnknownFaultError(ValueError):
    """A fault name that this app does not know."""


def active(environ: Mapping[str, str] | None = None) -> frozenset[str]:
    """The fault switches turned on in the environment (or the faults file)."""
    env = os.environ if environ is None else environ
    names = {n.strip() for n in env.get("SAMPLE_APP_FAULTS", "").split(",") if n.strip()}
    path = env.get("SAMPLE_APP_FAULTS_FILE")
    if path and Path(path).exists():
        names |= {n.strip() for n in Path(path).read_text().splitlines() if n.strip()}
    unknown = names - FAULTS.keys()
    if unknown:
        raise UnknownFaultError(f"unknown fault(s) {sorted(unknown)}; known: {sorted(FAULTS)}")
    return frozenset(names)
