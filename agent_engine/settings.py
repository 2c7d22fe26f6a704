"""agent-engine.toml: one validated file; an unknown key is an error naming the key and file."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from agent_engine.errors import ConfigError
from agent_engine.models import ErrorDetail

DEFAULT_CONFIG = Path("agent-engine.toml")
M = TypeVar("M", bound=BaseModel)


class Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ClassifierSettings(Section):
    """Extra rule packs (paths relative to the config file) and rules switched off by id."""

    extra_packs: list[Path] = Field(default_factory=list)
    disabled_rules: list[str] = Field(default_factory=list)


class Settings(Section):
    """The whole of agent-engine.toml."""

    classifier: ClassifierSettings = Field(default_factory=ClassifierSettings)


def load_settings(path: Path | None = None) -> Settings:
    """Load `path` (or ./agent-engine.toml when present, else the defaults)."""
    if path is None:
        if not DEFAULT_CONFIG.exists():
            return Settings()
        path = DEFAULT_CONFIG
    settings = validate_toml(path, Settings)
    packs = [p if p.is_absolute() else path.parent / p for p in settings.classifier.extra_packs]
    classifier = settings.classifier.model_copy(update={"extra_packs": packs})
    return settings.model_copy(update={"classifier": classifier})


def validate_toml(path: Path, model: type[M]) -> M:
    """Read a TOML file into `model`; every problem names the file and the key."""
    try:
        data: dict[str, Any] = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror}") from exc
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from exc
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise config_error(path, exc) from exc


def config_error(path: Path, exc: ValidationError) -> ConfigError:
    """Turn a validation error into one message that names the file and each key."""
    details = [ErrorDetail(loc=list(e["loc"]), msg=e["msg"]) for e in exc.errors()]
    problems = [
        f"unknown key '{_dotted(e.loc)}'"
        if e.msg.startswith("Extra inputs")
        else f"'{_dotted(e.loc)}': {e.msg}"
        for e in details
    ]
    return ConfigError(f"{path}: " + "; ".join(problems), details=details)


def _dotted(loc: list[str | int]) -> str:
    return ".".join(str(part) for part in loc)
