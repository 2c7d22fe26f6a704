"""python -m tools.classify: json and text output, clear errors, exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from agent_engine.cli import classify
from agent_engine.cli.classify import main
from agent_engine.contracts import Classification, ErrorResponse

LOCATOR = Path(
    "tests/fixtures/corpus/locator_not_found/pytest-playwright-get-by-role-click-timeout"
)


def test_json_output_is_a_classification(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--format", "json", str(LOCATOR / "pytest.log")]) == 0
    out, err = capsys.readouterr()
    verdict = Classification.model_validate_json(out)
    assert verdict.error_type.value == "locator_not_found"
    assert verdict.evidence[0].line == 45
    assert "classified 1 file(s)" in err


def test_text_output_is_a_short_summary(capsys: pytest.CaptureFixture[str]) -> None:
    junit = "tests/fixtures/playwright/junit.xml"
    assert main(["--junit", junit, "tests/fixtures/playwright/test-output.log"]) == 0
    out = capsys.readouterr().out
    # two tests failed for two causes (a missing element, a wrong text): the summary leads
    # with the verdict the JSON output gives
    assert (
        main(["--junit", junit, "tests/fixtures/playwright/test-output.log", "--format", "json"])
        == 0
    )
    verdict = json.loads(capsys.readouterr().out)["error_type"]
    assert verdict in ("locator_not_found", "assertion_failed")
    assert out.splitlines()[0].startswith(f"{verdict} (code), confidence")
    assert "failed tests (2):" in out
    assert 'click on locator("#does-not-exist")' in out
    assert "next step:" in out


def test_many_failed_tests_are_elided_in_text(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    log = tmp_path / "many.log"
    log.write_text("".join(f"FAILED t.py::test_{i} - boom\n" for i in range(14)), encoding="utf-8")
    assert main([str(log)]) == 0
    assert "… and 4 more" in capsys.readouterr().out


def test_unknown_is_still_exit_zero(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    log = tmp_path / "quiet.log"
    log.write_text("all good here\n", encoding="utf-8")
    assert main(["--format", "json", str(log)]) == 0
    assert json.loads(capsys.readouterr().out)["error_type"] == "unknown"


def test_out_writes_the_document_atomically(tmp_path: Path) -> None:
    out = tmp_path / "agent-analysis" / "classification.json"
    assert main(["--out", str(out), str(LOCATOR / "pytest.log")]) == 0
    assert (
        Classification.model_validate_json(out.read_text()).error_type.value == "locator_not_found"
    )
    assert [p.name for p in out.parent.iterdir()] == ["classification.json"]


def test_an_unreadable_file_is_exit_2_with_the_error_shape(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--format", "json", str(tmp_path / "missing.log")]) == 2
    out, err = capsys.readouterr()
    body = ErrorResponse.model_validate_json(out).error
    assert (body.error_code, body.blocker_type.value) == ("invalid_input", "agent")
    assert "missing.log: cannot read" in err


def test_a_bad_junit_report_is_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "junit.xml"
    bad.write_text("<testsuites><oops", encoding="utf-8")
    assert main(["--junit", str(bad), str(LOCATOR / "pytest.log")]) == 2
    assert "not a valid JUnit XML report" in capsys.readouterr().err


def test_a_bad_config_is_exit_2_with_an_annotation_in_actions(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    config = tmp_path / "agent-engine.toml"
    config.write_text("[classifer]\n", encoding="utf-8")
    assert main(["--config", str(config), str(LOCATOR / "pytest.log")]) == 2
    out, err = capsys.readouterr()
    assert out.startswith("::error::")
    assert "unknown key 'classifer'" in err


def test_help_and_module_entry_point() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "tools.classify", "--help"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0
    assert "--junit FILE" in done.stdout
    assert classify.parser().prog == "agent-engine classify"


def test_a_reader_that_stops_early_ends_the_command_quietly() -> None:
    # `agent-engine classify ... | head -1`: the pipe closes before the verdict is written
    reader = subprocess.Popen(
        [sys.executable, "-m", "agent_engine.cli.main", "classify", str(LOCATOR / "pytest.log")],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert reader.stdout is not None
    reader.stdout.close()  # nobody reads the verdict
    _, err = reader.communicate()
    assert reader.returncode == 141
    assert b"Traceback" not in err
