"""R4 across every output: each format of tests/fixtures/secrets/formats.toml, plain and split by
colour codes, in a log line, a failure message, a test id, an artifact name and the run's own
fields, reaches none of: the batch the runner ships, the Cloud-Agent's forward, the store, the
answer, the run list, the dashboard, the PR comment, the classifier's stdout."""

from __future__ import annotations

import json
from pathlib import Path
from xml.sax.saxutils import quoteattr

import httpx
import pytest

from agent_engine.cli import classify as classify_cli
from agent_engine.contracts import Analysis, LogBatch, Outcome, Received, RunInfo
from agent_engine.delivery.shipper import build_batch
from agent_engine.report import comment, dashboard
from agent_engine.report.history import Artifact, DashboardData, TestCounts
from agent_engine.triage.analysis import redact_batch
from agent_engine.triage.scan import Scanner
from agent_engine.web.store import SqlStore
from tests.builders import run_info
from tests.test_redact import FORMATS
from tests.web.test_attacks import services  # noqa: F401 - the fixture
from tests.web.test_cloud import ship

pytestmark = pytest.mark.anyio

RUN_FIELDS = ("workflow", "event", "ref", "base_ref", "actor", "url")
CHUNK = len(RUN_FIELDS)  # one format per run field, so every format is in one
CHUNKS = [FORMATS[i : i + CHUNK] for i in range(0, len(FORMATS), CHUNK)]
Format = tuple[str, str, tuple[str, ...], str]


def _coloured(text: str, secrets: tuple[str, ...]) -> str:
    """`text` with each secret split in its middle by colour codes, as a coloured log has it."""
    for secret in secrets:
        half = len(secret) // 2
        text = text.replace(secret, f"{secret[:half]}\x1b[1;31m{secret[half:]}\x1b[0m")
    return f"\x1b[36m{text}\x1b[0m"


def _material(tmp_path: Path, chunk: list[Format], ansi: bool) -> tuple[Path, Path, RunInfo]:
    """A test log and a JUnit report where each format's text is a log line, a test's id and
    its failure message; and a run whose fields hold one format each."""
    lines, cases = [], []
    for n, (name, _, secrets, text) in enumerate(chunk):
        shown = _coloured(text, secrets) if ansi else text
        lines += [
            f"2026-11-29T10:00:0{n}.0000000Z deploy step: {shown}",
            f"FAILED e2e/test_api.py::test_login[{name}-{shown}] - AssertionError: got {shown}",
        ]
        cases.append(
            f'<testcase classname="e2e.test_api" name={quoteattr(f"test_login[{text}]")}>'
            f"<failure message={quoteattr(f'expected 200 for {text}')}>E  got 401</failure>"
            "</testcase>"
        )
    log = tmp_path / "test-output.log"
    log.write_text("\n".join(lines) + "\n", encoding="utf-8")
    junit = tmp_path / "junit.xml"
    junit.write_text(
        '<?xml version="1.0" encoding="utf-8"?><testsuites><testsuite name="pytest">'
        + "".join(cases)
        + "</testsuite></testsuites>",
        encoding="utf-8",
    )
    fields = {f: text for f, (_, _, _, text) in zip(RUN_FIELDS, chunk, strict=False)}
    return log, junit, RunInfo.model_validate(run_info(**fields))


def _surviving(chunk: list[Format], where: str, output: str) -> list[str]:
    return [
        f"{name} in {where}" for name, _, secrets, _ in chunk if any(s in output for s in secrets)
    ]


@pytest.mark.parametrize("ansi", [False, True], ids=["plain", "coloured"])
@pytest.mark.parametrize("chunk", CHUNKS, ids=[f"{c[0][0]}+{len(c) - 1}" for c in CHUNKS])
async def test_no_secret_reaches_any_output(
    services: tuple[httpx.AsyncClient, httpx.AsyncClient],  # noqa: F811 - the fixture
    store: SqlStore,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    chunk: list[Format],
    ansi: bool,
) -> None:
    front, developer = services
    log, junit, run = _material(tmp_path, chunk, ansi)
    leaks: list[str] = []

    shipped = build_batch(run, Outcome.FAILURE, [log], [junit], Scanner([]))
    leaks += _surviving(chunk, "the runner's batch", shipped.model_dump_json())

    # A client that does not redact: the services must.
    raw = LogBatch.model_validate(
        {
            "schema_version": "1",
            "run": run.model_dump(),
            "outcome": "failure",
            "logs": [
                {"name": "test-output.log", "kind": "test_output", "content": log.read_text()},
                {"name": "junit.xml", "kind": "junit", "content": junit.read_text()},
            ],
            "tests": [
                {"id": f"e2e/test_api.py::test_login[{text}]", "outcome": "failed", "message": text}
                for _, _, _, text in chunk
            ],
            "artifacts": [
                {"name": f"trace-{text}"[:200], "url": f"https://ci.example/a?{text}"}
                for _, _, _, text in chunk
            ],
        }
    )
    leaks += _surviving(chunk, "the forward", redact_batch(raw).model_dump_json())
    answer = await ship(front, raw.model_dump(mode="json"))
    assert answer.status_code == 200, answer.text
    leaks += _surviving(chunk, "the answer", answer.text)
    analysis = Received.model_validate_json(answer.content).upstream
    stored = (store.batch(analysis.run_key) or b"").decode() + (
        store.analysis(analysis.run_key) or ""
    )
    assert stored
    leaks += _surviving(chunk, "the store", stored)
    listed = await developer.get("/runs", params={"repository": "acme/shop"})
    leaks += _surviving(chunk, "the run list", listed.text)

    record = dashboard.record(
        run,
        "2026-11-29T10:00:00+00:00",
        TestCounts(total=len(chunk), failed=len(chunk)),
        Analysis.model_validate_json(analysis.model_dump_json()),
        files={
            t.id: [Artifact(kind="trace", path=f"test-results/{text}/trace.zip")]
            for t, (_, _, _, text) in zip(analysis.classification.failed_tests, chunk, strict=False)
        },
        reproduce=dashboard.reproduction(
            ["{python}", "-m", "pytest", "{tests}"], [t.id for t in raw.tests], ""
        ),
    )
    site = dashboard.build(DashboardData(runs=[record]), tmp_path / "site")
    pages = "".join(p.read_text(encoding="utf-8") for p in site.rglob("*") if p.is_file())
    leaks += _surviving(chunk, "the dashboard", pages)
    leaks += _surviving(chunk, "the PR comment", comment.render(record))

    capsys.readouterr()
    for form in ("json", "text"):
        assert classify_cli.main([str(log), "--junit", str(junit), "--format", form]) == 0
    printed = capsys.readouterr()
    leaks += _surviving(chunk, "the classifier's output", printed.out + printed.err)

    assert not leaks, "\n".join(leaks)
    assert "[REDACTED:" in json.dumps([stored, pages])
