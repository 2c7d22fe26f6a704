"""Builders for contract documents used across the tests (one place, no pasted dicts)."""

from __future__ import annotations

import gzip
import json
import socket
from pathlib import Path
from typing import Any

from agent_engine.classify import LogSource

# A pytest JUnit report: a failure in a class, a pass, a skip and a setup error.
PYTEST_JUNIT = b"""<?xml version="1.0" encoding="utf-8"?><testsuites><testsuite name="pytest">
<testcase classname="tests.test_shop.TestCart" name="test_total" file="tests/test_shop.py" line="41" time="0.5">
<failure message="AssertionError: assert 3 == 4">E   AssertionError: assert 3 == 4</failure></testcase>
<testcase classname="tests.test_shop" name="test_ok" time="0.1" />
<testcase classname="tests.test_shop" name="test_later" time="-1"><skipped message="not yet" /></testcase>
<testcase classname="tests.test_shop" name="test_setup" time="x"><error message="fixture 'db' not found" /></testcase>
</testsuite></testsuites>"""


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


def case_batch(case: str, **run: Any) -> dict[str, Any]:
    """A batch carrying the logs of a corpus case (tests/fixtures/corpus/<label>/<name>)."""
    folder = Path(__file__).parent / "fixtures" / "corpus" / case
    logs = [
        log_file(
            name=p.name,
            content=p.read_text(encoding="utf-8"),
            kind="junit" if p.suffix == ".xml" else "test_output",
        )
        for p in sorted(folder.iterdir())
        if p.suffix in (".log", ".xml")
    ]
    return batch(run=run_info(**run), logs=logs, tests=[])


def gzipped(body: dict[str, Any]) -> bytes:
    return gzip.compress(json.dumps(body).encode())


def free_port() -> int:
    """A TCP port nothing listens on right now, on 127.0.0.1."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])
