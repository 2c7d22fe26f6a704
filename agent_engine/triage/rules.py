"""Classifier rules as ordered data: packs of (id, error type, pattern, why, example)."""

from __future__ import annotations

import tomllib
from enum import StrEnum
from importlib import resources
from pathlib import Path
from typing import Annotated, Literal

import re2
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    field_validator,
)

from agent_engine.errors import ConfigError
from agent_engine.settings import ClassifierSettings, config_error
from agent_engine.taxonomy import ErrorType

# Built-in packs, one per stack family, in the order their rules are tried.
BUILTIN_PACKS = (
    "runner",
    "system",
    "packages",
    "database",
    "python",
    "node",
    "ruby",
    "jvm",
    "build",
    "web",
    "browser",
)


LANGUAGE_STACKS = frozenset({"python", "node", "ruby", "jvm"})


class Effect(StrEnum):
    """`signal`: a hit is evidence of the type; `recovered`: earlier hits of it were retried
    successfully, so they count for little (taxonomy.md: a refused connection in a retry
    loop that later succeeded is weak); `unlike`: the line only looks like the type (a
    `RecordNotFound` for an action routed as an id), so no rule of it counts that line."""

    SIGNAL = "signal"
    RECOVERED = "recovered"
    UNLIKE = "unlike"


class Rule(BaseModel):
    """One pattern that, when a cleaned log line matches it, is evidence of an error type."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9._-]{2,80}$")]
    type: ErrorType
    pattern: Annotated[str, StringConstraints(min_length=3, max_length=2000)]
    why: Annotated[str, StringConstraints(min_length=10)]
    example: Annotated[str, StringConstraints(min_length=1)]
    weight: float = Field(default=0.8, gt=0, le=1)
    effect: Effect = Effect.SIGNAL
    # types whose rules do not count the lines this one matches (a signal of a routing bug is
    # not also a missing seed record): `effect = "unlike"` for a line of no type of its own
    # (with `type = "unknown"`, the line is only what `unlike` says it is not; `"all"`: every
    # type, for a line that is no evidence of anything, such as the test's own source)
    unlike: tuple[ErrorType, ...] = ()
    # the language whose test runners print what the rule matches (its pack's): such a rule
    # is not read in a test report written by another language's runner
    stack: Literal["", "python", "node", "ruby", "jvm"] = ""

    @field_validator("unlike", mode="before")
    @classmethod
    def _every_type(cls, value: object) -> object:
        if value == "all":
            return tuple(t for t in ErrorType if t is not ErrorType.UNKNOWN)
        return value


class Pack(BaseModel):
    """A file of rules for one stack family."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    description: str
    rule: list[Rule] = Field(default_factory=list)


def load_pack(path: Path, text: str | None = None) -> Pack:
    """Parse and check a pack: patterns compile in RE2 and every example matches its rule."""
    try:
        raw = tomllib.loads(text if text is not None else path.read_text(encoding="utf-8"))
        pack = Pack.model_validate(raw)
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read rule pack: {exc.strerror}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from exc
    except ValidationError as exc:
        raise config_error(path, exc) from exc
    for rule in pack.rule:
        _check_rule(path, rule)
    return pack


def _check_rule(path: Path, rule: Rule) -> None:
    try:
        compiled = re2.compile(rule.pattern, OPTIONS)
    except re2.error as exc:
        raise ConfigError(f"{path}: rule '{rule.id}': pattern does not compile: {exc}") from exc
    if compiled.search(rule.example) is None:
        raise ConfigError(f"{path}: rule '{rule.id}': its example does not match its pattern")


def builtin_packs() -> list[Pack]:
    """The packs shipped with agent_engine, in order."""
    folder = resources.files("agent_engine.triage") / "packs"
    return [
        load_pack(
            Path(f"agent_engine/triage/packs/{name}.toml"),
            (folder / f"{name}.toml").read_text(encoding="utf-8"),
        )
        for name in BUILTIN_PACKS
    ]


def load_rules(settings: ClassifierSettings | None = None) -> list[Rule]:
    """Built-in rules, then extra packs, minus disabled ids; ids must be unique."""
    settings = settings or ClassifierSettings()
    packs = builtin_packs() + [load_pack(path) for path in settings.extra_packs]
    rules: list[Rule] = []
    seen: set[str] = set()
    for pack in packs:
        for rule in pack.rule:
            if rule.id in seen:
                raise ConfigError(f"rule pack '{pack.name}': duplicate rule id '{rule.id}'")
            seen.add(rule.id)
            stack = pack.name if pack.name in LANGUAGE_STACKS and not rule.stack else rule.stack
            rules.append(rule.model_copy(update={"stack": stack}))
    unknown = set(settings.disabled_rules) - seen
    if unknown:
        raise ConfigError(f"classifier.disabled_rules names unknown rule ids: {sorted(unknown)}")
    return [r for r in rules if r.id not in settings.disabled_rules]


def _options() -> re2.Options:
    options = re2.Options()
    options.log_errors = False
    options.never_nl = True
    options.max_mem = 256 << 20
    return options


OPTIONS = _options()
