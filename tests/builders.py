"""Builders for contract documents used across the tests (one place, no pasted dicts)."""

from __future__ import annotations

from typing import Any

from agent_engine.classify import LogSource


def run_info(**overrides: Any) -> dict[str, Any]:
    run: dict[str, Any] = {
        "repository": "acme/shop",
        "run_id": "1234567890",
        "run_attempt": 1,
        "workflow": "agent-engine",
        "job": "e2e-tests",
        "event": "pull_request",
        "sha": "0123456789abcdef0123456789abcdef01234567",
        "ref": "refs/pull/7/merge",
        "base_ref": "main",
        "pr_number": 7,
        "actor": "octocat",
        "url": "https://github.com/acme/shop/actions/runs/1234567890",
    }
    return run | overrides


def log_file(**overrides: Any) -> dict[str, Any]:
    log: dict[str, Any] = {
        "name": "e2e/test-output.log",
        "kind": "test_output",
        "content": "FAILED e2e/test_login.py::test_login - boom\n",
    }
    return log | overrides


def batch(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "schema_version": "1",
        "run": run_info(),
        "outcome": "failure",
        "logs": [log_file()],
        "tests": [{"id": "e2e/test_login.py::test_login", "outcome": "failed"}],
        "artifacts": [{"name": "traces", "url": "https://example.invalid/a/1"}],
    }
    return body | overrides


def text_log(name: str, *lines: str) -> LogSource:
    """An in-memory log made of `lines`."""
    return LogSource.from_text(name, "".join(f"{line}\n" for line in lines))
