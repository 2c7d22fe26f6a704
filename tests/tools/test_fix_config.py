"""apply-and-validate judges a patch by the constraints prepare-input froze; a config that now
says otherwise is refused clearly, before any work (once, a changed --config was silently
ignored and a 50 s validation ran under the old guardrails)."""

from __future__ import annotations

import contextlib
from pathlib import Path

import pytest

from agent_engine.cli import fix
from agent_engine.fix.agent import FixInput, frozen_differences
from agent_engine.settings import load_settings
from bench import guardrails


def test_a_config_that_changed_since_prepare_input_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = guardrails.make_repo(tmp_path / "repo")
    folder, config = tmp_path / "fix-agent", tmp_path / "agent-engine.toml"
    folder.mkdir()
    config.write_text(guardrails.CONFIG)
    case = guardrails.load_cases()[0]
    guardrails.write_input(repo, folder, case, config, 1)
    assert (
        frozen_differences(
            FixInput.model_validate_json((folder / "input.json").read_text()), load_settings(config)
        )
        == []
    )

    changed = tmp_path / "changed.toml"
    changed.write_text(
        guardrails.CONFIG.replace("validation_runs = 1", "validation_runs = 3")
        + '\n[fix_agent.guardrails]\nallowed = ["**"]\n'
    )
    with contextlib.chdir(repo):
        code = fix.main(["--dir", str(folder), "--config", str(changed), "apply-and-validate"])
    out, err = capsys.readouterr()
    assert code == 2
    assert "the config differs from what prepare-input froze" in out + err
    assert "[fix_agent] validation_runs: 1 then, 3 now" in out + err
    assert "[fix_agent.guardrails]" in out + err
    assert "run `agent-engine fix prepare-input` again" in out + err
    assert not list(folder.glob("metadata-*.json"))
