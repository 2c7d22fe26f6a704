"""The benchmark runner works end to end on small inputs (the figures come from python -m bench)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench import classify, dashboard, heal, redact
from bench.runner import main


def test_the_generated_log_has_its_failures_in_place(tmp_path: Path) -> None:
    log = classify.generate(tmp_path / "ci.log", 1)
    text = log.read_text(encoding="utf-8")
    assert log.stat().st_size >= 1_000_000
    assert text.index("Connection refused") < text.index("Locator.click: Timeout")
    assert text.startswith("2026-11-21T10:")


def test_b1_prints_ratios_against_grep(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(classify, "RUNS", 1)
    assert classify.main((1,)) == 0
    out = capsys.readouterr().out
    assert "locator_not_found" in out
    assert "ratio" in out
    assert "engine: " in out
    assert "building the classifier" in out


def test_the_runner_dispatches_accuracy(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["accuracy"]) == 0
    out = capsys.readouterr().out
    assert "held-out set" in out
    assert "macro F1" in out


def test_b5_prints_heal_time_against_parsing(capsys: pytest.CaptureFixture[str]) -> None:
    assert heal.main() == 0
    out = capsys.readouterr().out
    assert "x parsing" in out
    assert "healed" in out


def test_b3_prints_the_build_against_the_dump(capsys: pytest.CaptureFixture[str]) -> None:
    data = dashboard.history(40)
    assert {r.outcome for r in data.runs} == {"success", "failure"}
    assert any(r.fix for r in data.runs)
    assert dashboard.main(40) == 0
    out = capsys.readouterr().out
    assert "40 runs of 200 tests" in out
    assert "x the dump (target <= 20 x" in out
    assert "index.html:" in out


def test_the_redaction_bench_times_every_input_against_sed(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(redact, "RUNS", 1)
    monkeypatch.setattr(redact, "SIZE", 1_000_000)
    assert main(["redact"]) == 0
    out = capsys.readouterr().out
    for name in ["CI log (B1's generator)", *redact.HOSTILE]:
        assert f"\n{name} " in out
    assert "slowest:" in out
