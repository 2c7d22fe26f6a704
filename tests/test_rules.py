"""Rule packs: data that compiles in RE2, means the same to GNU grep, and is checked on load."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from agent_engine.errors import ConfigError
from agent_engine.settings import ClassifierSettings
from agent_engine.taxonomy import ErrorType
from agent_engine.triage.rules import BUILTIN_PACKS, Effect, Rule, builtin_packs, load_rules

PACK = """name = "ours"
description = "our own stack"

[[rule]]
id = "ours.widget-exploded"
type = "backend_exception"
weight = 0.9
pattern = 'WidgetExploded: '
why = "our widget service raised"
example = "WidgetExploded: gear 3"
"""


def test_every_pack_loads_and_ids_are_unique(rules: list[Rule]) -> None:
    assert [p.name for p in builtin_packs()] == list(BUILTIN_PACKS)
    assert len({r.id for r in rules}) == len(rules)


def test_every_error_type_but_unknown_has_rules(rules: list[Rule]) -> None:
    covered = {r.type for r in rules if r.effect is Effect.SIGNAL}
    assert covered == set(ErrorType) - {ErrorType.UNKNOWN}


@pytest.mark.skipif(shutil.which("grep") is None, reason="GNU grep is part of every Debian base")
def test_grep_reads_every_pattern_the_same_way(rules: list[Rule], tmp_path: Path) -> None:
    """B1 compares against grep, so each pattern must be valid ERE that matches its example."""
    for rule in rules:
        pattern = tmp_path / "p.txt"
        pattern.write_text(rule.pattern + "\n", encoding="utf-8")
        found = subprocess.run(
            ["grep", "-E", "-c", "-f", str(pattern)],
            input=rule.example + "\n",
            capture_output=True,
            text=True,
            check=False,
            env={"LC_ALL": "C"},
        )
        assert (found.stdout.strip(), found.stderr) == ("1", ""), rule.id


def test_an_extra_pack_adds_rules_after_the_builtins(tmp_path: Path) -> None:
    pack = tmp_path / "ours.toml"
    pack.write_text(PACK, encoding="utf-8")
    rules = load_rules(ClassifierSettings(extra_packs=[pack]))
    assert rules[-1].id == "ours.widget-exploded"


def test_an_unlike_rule_can_rule_out_every_type(tmp_path: Path) -> None:
    pack = tmp_path / "ours.toml"
    pack.write_text(
        PACK.replace('type = "backend_exception"', 'type = "unknown"\neffect = "unlike"')
        + 'unlike = "all"\n',
        encoding="utf-8",
    )
    rule = load_rules(ClassifierSettings(extra_packs=[pack]))[-1]
    assert set(rule.unlike) == set(ErrorType) - {ErrorType.UNKNOWN}


def test_disabled_rules_are_dropped() -> None:
    rules = load_rules(ClassifierSettings(disabled_rules=["py.traceback"]))
    assert "py.traceback" not in {r.id for r in rules}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (PACK.replace("WidgetExploded: '", "(unclosed'"), "pattern does not compile"),
        (
            PACK.replace('example = "WidgetExploded: gear 3"', 'example = "nope"'),
            "its example does not match",
        ),
        (PACK.replace('type = "backend_exception"', 'type = "gremlins"'), "'rule.0.type'"),
        (PACK.replace('why = "our widget service raised"\n', ""), "'rule.0.why'"),
        (PACK + "colour = 1\n", "unknown key 'rule.0.colour'"),
        (PACK + 'unlike = "every"\n', "'rule.0.unlike'"),
        ("name = \n", "not valid TOML"),
    ],
)
def test_a_bad_pack_is_an_error_naming_file_and_rule(
    tmp_path: Path, text: str, message: str
) -> None:
    pack = tmp_path / "ours.toml"
    pack.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_rules(ClassifierSettings(extra_packs=[pack]))
    assert message in info.value.message
    assert str(pack) in info.value.message


def test_a_duplicate_id_is_refused(tmp_path: Path) -> None:
    pack = tmp_path / "ours.toml"
    pack.write_text(PACK.replace("ours.widget-exploded", "py.traceback"), encoding="utf-8")
    with pytest.raises(ConfigError, match=r"duplicate rule id 'py\.traceback'"):
        load_rules(ClassifierSettings(extra_packs=[pack]))


def test_a_missing_pack_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read rule pack"):
        load_rules(ClassifierSettings(extra_packs=[tmp_path / "gone.toml"]))


def test_disabling_an_unknown_rule_is_refused() -> None:
    with pytest.raises(ConfigError, match="unknown rule ids"):
        load_rules(ClassifierSettings(disabled_rules=["no.such-rule"]))
