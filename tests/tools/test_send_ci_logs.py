"""The shipper: run information, trimming, the outbox, and the command line."""

from __future__ import annotations

import json
import shutil
import threading
from pathlib import Path

import pytest

from agent_engine.cli.ship import main
from agent_engine.contracts import Analysis, LogBatch, LogKind, Outcome
from agent_engine.delivery.outbox import Outbox
from agent_engine.delivery.shipper import build_batch, idempotency_key, pr_number, run_info, trim
from agent_engine.errors import InputError
from agent_engine.triage.rules import load_rules
from agent_engine.triage.scan import Scanner

SCANNER = Scanner([r.pattern for r in load_rules()])
GITHUB = {
    "GITHUB_REPOSITORY": "acme/shop",
    "GITHUB_RUN_ID": "991",
    "GITHUB_RUN_ATTEMPT": "2",
    "GITHUB_JOB": "e2e-tests",
    "GITHUB_SHA": "a" * 40,
    "GITHUB_REF": "refs/pull/12/merge",
    "GITHUB_BASE_REF": "main",
    "GITHUB_WORKFLOW": "agent-engine",
    "GITHUB_ACTOR": "octo",
    "GITHUB_EVENT_NAME": "pull_request",
}
CASE = Path("tests/fixtures/corpus/backend_exception/sample-app-server_error")


def test_run_information_comes_from_github_and_flags_win() -> None:
    run = run_info(GITHUB, {"job": "smoke", "run_attempt": None})
    assert (run.repository, run.run_id, run.run_attempt, run.job, run.pr_number) == (
        "acme/shop",
        "991",
        2,
        "smoke",
        12,
    )
    assert run.url == "https://github.com/acme/shop/actions/runs/991"
    assert idempotency_key(run) == "acme/shop/991/2/smoke"
    assert run_info({**GITHUB, "GITHUB_SERVER_URL": ""}, {}).url == ""  # a local run: no page


def test_missing_run_information_is_a_clear_error() -> None:
    with pytest.raises(InputError, match="GITHUB_REPOSITORY, GITHUB_RUN_ID and GITHUB_JOB"):
        run_info({}, {})


def test_the_pr_number_can_come_from_the_event_payload(tmp_path: Path) -> None:
    event = tmp_path / "event.json"
    event.write_text(json.dumps({"number": 41}))
    assert pr_number({"GITHUB_REF": "refs/heads/x", "GITHUB_EVENT_PATH": str(event)}) == 41
    event.write_text("not json")
    assert pr_number({"GITHUB_EVENT_PATH": str(event)}) is None
    assert pr_number({}) is None


def test_trimming_keeps_head_tail_and_windows_around_errors() -> None:
    lines = [f"noise line {i} " + "x" * 80 for i in range(20_000)]
    lines[9_000] = (
        "E   playwright._impl._errors.TimeoutError: Locator.click: Timeout 5000ms exceeded."
    )
    text = "\n".join(lines) + "\n"
    kept = trim(text, SCANNER, budget=200_000)
    assert kept.truncated
    assert kept.original_bytes == len(text)
    assert len(kept.text) < 220_000
    assert kept.text.startswith("noise line 0 ")
    assert "noise line 19999 " in kept.text
    assert "Locator.click: Timeout" in kept.text
    assert "noise line 8995 " in kept.text  # the window around the error
    assert "lines trimmed: " in kept.text
    small = trim("short\n", SCANNER)
    assert (small.text, small.truncated) == ("short\n", False)


def test_a_batch_is_redacted_and_names_its_files(tmp_path: Path) -> None:
    log = tmp_path / ".weird dir" / "backend.log"
    log.parent.mkdir()
    log.write_text("token=ghp_" + "A" * 36 + "\n")
    batch = build_batch(run_info(GITHUB, {}), Outcome.FAILURE, [log], [CASE / "junit.xml"], SCANNER)
    assert [(f.name, f.kind) for f in batch.logs] == [
        ("weird_dir/backend.log", LogKind.BACKEND),
        ("sample-app-server_error/junit.xml", LogKind.JUNIT),
    ]
    assert "ghp_" not in batch.logs[0].content
    assert len(batch.tests) == 16


def test_the_outbox_queues_claims_and_removes(tmp_path: Path) -> None:
    outbox = Outbox(tmp_path / "outbox")
    entry = outbox.put("acme/shop/1/1/e2e", b"body-1")
    outbox.put("acme/shop/2/1/e2e", b"body-2")
    assert [e.key for e in outbox.entries()] == ["acme/shop/1/1/e2e", "acme/shop/2/1/e2e"]
    with outbox.claim(entry) as mine, outbox.claim(entry) as theirs:
        assert (mine, theirs) == (True, False)
    outbox.remove(entry)
    with outbox.claim(entry) as gone:
        assert gone is False
    parked = outbox.park(outbox.entries()[0], "refused: 401")
    assert parked.read_bytes() == b"body-2"
    assert outbox.entries() == []
    assert (
        json.loads(parked.with_name(parked.name.replace(".batch.gz", ".json")).read_text())[
            "refused"
        ]
        == "refused: 401"
    )


def test_ship_without_a_receiver_classifies_locally(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for name, value in GITHUB.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("CLOUD_AGENT_URL", raising=False)
    summary = tmp_path / "summary.md"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    out = tmp_path / "agent-analysis" / "analysis.json"
    code = main(
        [
            "ship",
            "--out",
            str(out),
            str(CASE / "test-output.log"),
            str(CASE / "backend.log"),
            "--junit",
            str(CASE / "junit.xml"),
        ]
    )
    assert code == 0
    analysis = Analysis.model_validate_json(out.read_text())
    assert (analysis.source, analysis.classification.error_type.value) == (
        "local",
        "backend_exception",
    )
    assert "classified locally" in summary.read_text()
    out_text = capsys.readouterr().out
    assert "not shipped" in out_text
    assert "ship: backend_exception (" in out_text


def test_a_green_run_is_shipped_without_a_verdict_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for name, value in GITHUB.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("CLOUD_AGENT_URL", raising=False)
    out = tmp_path / "analysis.json"
    log = tmp_path / "test-output.log"
    log.write_text("===== 16 passed in 11.52s =====\n")
    assert main(["ship", "--outcome", "success", "--out", str(out), str(log)]) == 0
    assert "ship: the run passed: no verdict;" in capsys.readouterr().out


def test_an_unreachable_receiver_queues_the_batch(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for name, value in GITHUB.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("CLOUD_AGENT_URL", "http://127.0.0.1:9")
    monkeypatch.setenv("AGENT_TOKEN", "t")
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    args = [
        "ship",
        "--deadline",
        "0.5",
        "--max-wait",
        "0.1",
        "--outbox",
        str(tmp_path / "ob"),
        "--out",
        str(tmp_path / "a.json"),
        str(CASE / "backend.log"),
    ]
    assert main(args) == 0
    assert main([*args, "--strict"]) == 1
    out = capsys.readouterr().out
    assert "::warning::CI logs queued for a later flush" in out
    (entry,) = Outbox(tmp_path / "ob").entries()
    assert entry.key == "acme/shop/991/2/e2e-tests"
    batch = LogBatch.model_validate_json(__import__("gzip").decompress(entry.read()))
    assert batch.run.pr_number == 12
    assert (
        main(["flush", "--outbox", str(tmp_path / "ob"), "--deadline", "0.5", "--max-wait", "0.1"])
        == 0
    )
    assert "0 delivered, 1 still queued" in capsys.readouterr().out


def test_flush_without_a_receiver_keeps_everything(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("CLOUD_AGENT_URL", raising=False)
    Outbox(tmp_path / "ob").put("k", b"x")
    assert main(["flush", "--outbox", str(tmp_path / "ob")]) == 0
    assert "1 kept" in capsys.readouterr().out
    assert len(Outbox(tmp_path / "ob").entries()) == 1


def test_concurrent_claims_hand_an_entry_to_one_flush(tmp_path: Path) -> None:
    outbox = Outbox(tmp_path / "ob")
    entry = outbox.put("k", b"x")
    won: list[bool] = []
    barrier = threading.Barrier(8)

    def take() -> None:
        barrier.wait()
        with outbox.claim(entry) as mine:
            won.append(mine)
            if mine:
                outbox.remove(entry)

    threads = [threading.Thread(target=take) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert won.count(True) == 1


def test_without_log_arguments_ship_sends_every_log_the_config_names(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The app's log carries the evidence of a server error (the 500 and its traceback)."""
    for name, value in GITHUB.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("CLOUD_AGENT_URL", raising=False)
    (tmp_path / "e2e").mkdir()
    shutil.copy(CASE / "test-output.log", tmp_path / "e2e" / "test-output.log")
    shutil.copy(CASE / "junit.xml", tmp_path / "e2e" / "junit.xml")
    shutil.copy(CASE / "backend.log", tmp_path / "app.log")
    config = tmp_path / "agent-engine.toml"
    config.write_text(
        '[app]\nstart = ["true"]\nbase_url = "http://127.0.0.1:1"\nhealth_url = "http://127.0.0.1:1"\n'
        f'log = "{tmp_path / "app.log"}"\n'
        f'[e2e]\nrun = ["true"]\nrun_subset = ["true", "{{tests}}"]\njunit = "{tmp_path / "e2e" / "junit.xml"}"\n'
        f'log = "{tmp_path / "e2e" / "test-output.log"}"\noutput = "{tmp_path / "out"}"\n'
    )
    out = tmp_path / "analysis.json"
    assert main(["ship", "--config", str(config), "--out", str(out)]) == 0
    assert "ship: 3 file(s)" in capsys.readouterr().out  # two logs and the JUnit report
    analysis = Analysis.model_validate_json(out.read_text())
    assert analysis.classification.error_type.value == "backend_exception"
    assert any(e.log.endswith("app.log") for e in analysis.classification.evidence)
