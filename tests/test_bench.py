"""The benchmark runner works end to end on small inputs (the figures come from python -m bench)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from agent_engine.fix import healer
from bench import classify, dashboard, first_look, fit_heal, heal, redact
from bench.corpus import WILD, load_cases
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
    untuned, tuned = (
        out.split("== A1 on the tuned split")[0],
        out.split("== A1 on the tuned split")[1],
    )
    assert "not named: no rule is written from this split" in untuned
    assert not any(line.startswith("  ") and "/" in line for line in untuned.splitlines())
    assert "misclassified:\n  " in tuned.split("== A1 on the corpus")[0]


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


def test_the_healer_fit_chooses_fewest_wrong_then_most_healed(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    grid = {
        fit_heal.Values(0.5, 0.15, 1.0): ["healed", "wrong", "healed"],
        fit_heal.Values(0.6, 0.15, 1.0): ["healed", "abstained", "abstained"],
        fit_heal.Values(0.4, 0.15, 1.0): ["healed", "abstained", "abstained"],
    }
    start = fit_heal.Values(0.55, 0.15, 1.0)
    assert fit_heal.best(grid, [0, 1, 2], start) == fit_heal.Values(0.6, 0.15, 1.0)  # nearer
    assert fit_heal.best(grid, [0, 2], start) == fit_heal.Values(0.5, 0.15, 1.0)
    published = (healer.THRESHOLD, healer.MARGIN, dict(healer.WEIGHTS))
    with fit_heal.applied(fit_heal.Values(0.9, 0.3, 2.0)):
        assert (healer.THRESHOLD, healer.WEIGHTS["class"], healer.WEIGHTS["tag"]) == (0.9, 2, 1)
    assert published == (healer.THRESHOLD, healer.MARGIN, healer.WEIGHTS)
    monkeypatch.setattr(fit_heal, "THRESHOLDS", (0.5, 0.6))
    monkeypatch.setattr(fit_heal, "MARGINS", (0.15,))
    monkeypatch.setattr(fit_heal, "KIND_WEIGHTS", (1.0,))
    assert fit_heal.main() == 0
    out = capsys.readouterr().out
    assert "leave-one-app-out:" in out
    assert "sample_app (not fitted on)" in out


def test_the_first_look_record_is_reproduced_from_the_history(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """What the rules said before any was tuned on a case is recomputed from git, not typed."""
    shipped = first_look.OUT.read_text(encoding="utf-8")
    tuned = [c for c in load_cases(WILD) if c.split == "tuned"]
    chosen = [tuned[0], tuned[-1]]
    monkeypatch.setattr(first_look, "load_cases", lambda _root: chosen)
    monkeypatch.setattr(first_look, "OUT", tmp_path / "first_look.json")
    assert first_look.main() == 0
    again = json.loads((tmp_path / "first_look.json").read_text(encoding="utf-8"))
    record = json.loads(shipped)
    assert again == {c.name: record[c.name] for c in chosen}
