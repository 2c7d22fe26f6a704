"""agent-engine.toml: validated; unknown keys name the key and the file."""

from __future__ import annotations

from pathlib import Path

import pytest

from agent_engine.errors import ConfigError
from agent_engine.settings import expand, load_settings


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "agent-engine.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_no_file_means_defaults(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert load_settings().classifier.extra_packs == []


def test_the_file_in_the_working_directory_is_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(tmp_path, '[classifier]\ndisabled_rules = ["py.traceback"]\n')
    monkeypatch.chdir(tmp_path)
    assert load_settings().classifier.disabled_rules == ["py.traceback"]


def test_extra_packs_are_relative_to_the_config_file(tmp_path: Path) -> None:
    path = write(tmp_path, '[classifier]\nextra_packs = ["packs/ours.toml"]\n')
    assert load_settings(path).classifier.extra_packs == [tmp_path / "packs" / "ours.toml"]


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("[classifer]\n", "classifer"),
        ("[classifier]\nextra_pack = []\n", "classifier.extra_pack"),
    ],
)
def test_an_unknown_key_names_the_key_and_the_file(tmp_path: Path, text: str, key: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as info:
        load_settings(path)
    assert f"unknown key '{key}'" in info.value.message
    assert str(path) in info.value.message


def test_a_wrong_type_is_named(tmp_path: Path) -> None:
    path = write(tmp_path, '[classifier]\ndisabled_rules = "py.traceback"\n')
    with pytest.raises(ConfigError, match=r"'classifier\.disabled_rules'"):
        load_settings(path)


def test_broken_toml_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_settings(write(tmp_path, "[classifier\n"))


def test_a_missing_file_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read"):
        load_settings(tmp_path / "nope.toml")


def test_the_repository_config_is_valid() -> None:
    root = Path(__file__).resolve().parent.parent
    assert load_settings(root / "agent-engine.toml").classifier.disabled_rules == []


def test_the_repository_config_describes_the_app_and_its_suite() -> None:
    root = Path(__file__).resolve().parent.parent
    settings = load_settings(root / "agent-engine.toml")
    assert settings.app is not None
    assert settings.e2e is not None
    assert settings.app.health_url.endswith("/api/health/")
    assert "{tests}" in settings.e2e.run_subset
    assert settings.self_heal.commands.reseed_db is not None


def test_a_subset_command_must_take_test_ids(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        '[e2e]\nrun = ["pytest"]\nrun_subset = ["pytest"]\njunit = "j.xml"\n'
        'log = "t.log"\noutput = "out"\n',
    )
    with pytest.raises(ConfigError, match=r"'e2e\.run_subset'.*\{tests\}"):
        load_settings(path)


def test_commands_are_argv_lists_not_strings(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        '[app]\nstart = "python -m app"\nbase_url = "http://127.0.0.1:1"\n'
        'health_url = "http://127.0.0.1:1/health"\n',
    )
    with pytest.raises(ConfigError, match=r"'app\.start'"):
        load_settings(path)


def test_expand_fills_placeholders_and_spreads_test_ids() -> None:
    command = ["{python}", "-m", "pytest", "--base-url={base_url}", "{tests}", "-x"]
    assert expand(command, python="py", base_url="http://h:1", tests=["a::b", "c::d"]) == [
        "py",
        "-m",
        "pytest",
        "--base-url=http://h:1",
        "a::b",
        "c::d",
        "-x",
    ]


def test_the_fix_agent_guardrails_come_from_the_config() -> None:
    root = Path(__file__).resolve().parent.parent
    fix = load_settings(root / "agent-engine.toml").fix_agent
    assert fix.guardrails.allowed == ["sample_app/e2e/**"]
    assert fix.guardrails.caps["locator"].lines == 10
    assert ".github/**" in fix.guardrails.protected_paths()
    assert "conftest.py" in fix.guardrails.protected_paths()
    assert fix.validation_runs == 3
