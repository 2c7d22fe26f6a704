"""agent-engine.toml: one validated file; an unknown key is an error naming the key and file."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any, TypeVar

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    StringConstraints,
    ValidationError,
    field_validator,
)

from agent_engine.contracts import ErrorDetail, RelativePath
from agent_engine.errors import ConfigError
from agent_engine.taxonomy import TAXONOMY, ErrorType

DEFAULT_CONFIG = Path("agent-engine.toml")
_SECRET_NAME = re.compile(
    r"TOKEN|SECRET|PASSW|CREDENTIAL|PRIVATE|API_?KEY|_KEY$|^AWS_|^ACTIONS_|^GH_|^GITHUB_",
    re.IGNORECASE,
)
M = TypeVar("M", bound=BaseModel)


class Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Policy(Section):
    """The bounds self-heal works within (agent-engine.toml [self_heal.policy])."""

    triggers: list[str] = Field(default_factory=lambda: ["workflow_dispatch"])
    allow_pull_request_for_transient: bool = False
    eligible_types: list[ErrorType] = Field(
        default_factory=lambda: [t for t, info in TAXONOMY.items() if info.actions]
    )
    max_attempts_per_action: int = Field(default=2, ge=0, le=10)
    max_actions_per_run: int = Field(default=3, ge=0, le=10)
    storm_share: float = Field(default=0.5, gt=0, le=1)
    action_timeout_s: float = Field(default=600, gt=0)
    stall_timeout_s: float = Field(default=120, gt=0)


# Always protected, whatever agent-engine.toml says: it can add paths, never remove these.
# A pattern without a slash names a file anywhere in the repository.
PROTECTED: tuple[str, ...] = (
    ".github/**",
    "agent-engine.toml",
    "CODEOWNERS",
    ".env*",
    # lockfiles and requirements
    "*.lock",
    "package-lock.json",
    "pnpm-lock.yaml",
    "npm-shrinkwrap.json",
    "requirements*.txt",
    "constraints*.txt",
    "go.sum",
    # what configures a test run: options, plugins, interpreter start-up, ignored files
    "conftest.py",
    "pytest.ini",
    ".pytest.ini",
    "tox.ini",
    "setup.cfg",
    "setup.py",
    "pyproject.toml",
    "noxfile.py",
    "playwright.config.*",
    "package.json",
    "*.pth",
    "sitecustomize.py",
    "usercustomize.py",
    ".gitignore",
    ".gitattributes",
    ".gitmodules",
)
# Test files and page objects; not every `pages/` folder (that is production code in many
# web apps, e.g. web/src/pages/api/pay.ts).
ALLOWED: tuple[str, ...] = (
    "**/e2e/**/*.py",
    "**/tests/**/*.py",
    "**/test/**/*.py",
    "**/test_*.py",
    "**/*_test.py",
    "**/page_objects/**/*.py",
    "**/pageobjects/**/*.py",
)


class Cap(Section):
    files: int = Field(ge=0)
    lines: int = Field(ge=0)


class GuardrailPolicy(Section):
    """Where a fix may write and how much, by fix class (agent-engine.toml [fix_agent])."""

    allowed: list[str] = Field(default_factory=lambda: list(ALLOWED))
    protected: list[str] = Field(
        default_factory=list,
        description="protected paths added to the built-in list (which always applies)",
    )
    caps: dict[str, Cap] = Field(
        default_factory=lambda: {
            "locator": Cap(files=1, lines=10),
            "test": Cap(files=3, lines=40),
            "backend": Cap(files=3, lines=60),
        }
    )

    def protected_paths(self) -> list[str]:
        return [*PROTECTED, *(p for p in self.protected if p not in PROTECTED)]


class ClassifierSettings(Section):
    """Extra rule packs (paths relative to the config file) and rules switched off by id."""

    extra_packs: list[Path] = Field(default_factory=list)
    disabled_rules: list[str] = Field(default_factory=list)


# A command as an argv list (never a shell string). Placeholders: {python} (this
# interpreter), {base_url} (where the app listens), {tests} (test ids, one argument each),
# {checkout} (the repository's checkout, for commands run elsewhere).
Command = Annotated[list[Annotated[str, StringConstraints(min_length=1)]], Field(min_length=1)]


class AppSettings(Section):
    """How to prepare, start and health-check the app under test."""

    start: Command
    base_url: str = Field(pattern=r"^https?://")
    health_url: str = Field(pattern=r"^https?://")
    health_timeout_s: float = Field(default=60, gt=0, le=3600)
    migrate: Command | None = None
    seed: Command | None = None
    log: Path = Path("out/backend.log")
    env: dict[str, str] = Field(default_factory=dict)
    # The variable through which the app takes fault switches, for demos and drills
    # (`agent-engine pipeline run --fault NAME`); unset when the app has none.
    fault_switch: str | None = Field(default=None, pattern=r"^[A-Z_][A-Z0-9_]*$")

    @property
    def prepare_log(self) -> Path:
        """Where migrate and seed leave their output: beside the app's log."""
        return self.log.parent / "prepare.log"


class E2ESettings(Section):
    """How to run the E2E suite (whole, smoke subset, by test id) and where reports land."""

    run: Command
    run_subset: Command
    smoke: Command | None = None
    auth: Command | None = None
    junit: Path
    log: Path
    output: Path
    rerun_junit: Path = Path("out/e2e/rerun-junit.xml")  # where run_subset writes its JUnit
    env: dict[str, str] = Field(default_factory=dict)

    @field_validator("run_subset")
    @classmethod
    def _takes_test_ids(cls, command: list[str]) -> list[str]:
        if "{tests}" not in command:
            raise ValueError("must contain the argument '{tests}' where the test ids go")
        return command


class SelfHealCommands(Section):
    """The commands behind the self-heal actions that need one (the rest are built in)."""

    reseed_db: Command | None = None
    regenerate_storage_state: Command | None = None
    restart_backend: Command | None = None
    restart_database: Command | None = None
    install_browsers: Command | None = None


class SelfHealSettings(Section):
    commands: SelfHealCommands = Field(default_factory=SelfHealCommands)
    policy: Policy = Field(default_factory=Policy)


class FixAgentSettings(Section):
    """The fix agent's guardrails and how it validates a patch."""

    guardrails: GuardrailPolicy = Field(default_factory=GuardrailPolicy)
    # How to rerun the affected tests in the worktree (default: [e2e] run_subset); it runs
    # there, so {checkout} names the original checkout (for inputs like a storage state).
    validation_command: Command | None = None
    validation_runs: int = Field(default=3, ge=1, le=10)
    validation_budget_s: float = Field(default=600, gt=0)
    # Git-ignored paths of the checkout the suite needs at run time (a folder for its SQLite
    # file, uploads), copied into the validation worktree, which holds only tracked files.
    worktree_copy: list[RelativePath] = Field(default_factory=list)
    # Variables a validation run may see besides a few basics (PATH, HOME, LANG, ...) and
    # [e2e] env: code from a proposed patch runs there, so never a token or a secret.
    pass_env: list[Annotated[str, StringConstraints(pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")]] = Field(
        default_factory=list
    )

    @field_validator("pass_env")
    @classmethod
    def _no_secrets(cls, names: list[str]) -> list[str]:
        secret = [n for n in names if _SECRET_NAME.search(n)]
        if secret:
            raise ValueError(
                f"{', '.join(secret)} looks like a secret; validation runs code from a patch"
            )
        return names


class Settings(Section):
    """The whole of agent-engine.toml."""

    classifier: ClassifierSettings = Field(default_factory=ClassifierSettings)
    app: AppSettings | None = None
    e2e: E2ESettings | None = None
    self_heal: SelfHealSettings = Field(default_factory=SelfHealSettings)
    fix_agent: FixAgentSettings = Field(default_factory=FixAgentSettings)


def expand(command: list[str], **values: str | list[str]) -> list[str]:
    """Fill a command's placeholders; a list value (the test ids) becomes several arguments."""
    argv: list[str] = []
    for arg in command:
        value = values.get(arg[1:-1]) if arg.startswith("{") and arg.endswith("}") else None
        if isinstance(value, list):
            argv.extend(value)
            continue
        filled = arg
        for name, text in values.items():
            if isinstance(text, str):
                filled = filled.replace("{" + name + "}", text)
        argv.append(filled)
    return argv


class ServiceSettings(BaseModel):
    """The two services' settings; only the entry points read them from the environment."""

    model_config = ConfigDict(frozen=True)

    agent_token: SecretStr | None = None
    developer_agent_url: str | None = None
    developer_agent_token: SecretStr | None = None
    database_url: str = "sqlite:///agent-engine.db"
    drain: bool = False
    drain_file: Path = Path("agent-engine.drain")
    connect_timeout_s: float = 3.0
    deadline_s: float = 25.0  # under the function's own limit (vercel.json maxDuration: 60)
    forward_attempts: int = 3
    max_body_bytes: int = 4 * 1024 * 1024
    max_decompressed_bytes: int = 32 * 1024 * 1024
    body_timeout_s: float = 10.0  # a body that takes longer to arrive is refused (408)
    # A request line and headers that take longer are answered 408 and the connection closed.
    header_timeout_s: float = Field(default=10.0, gt=0, le=300)
    # Redacting a batch that takes longer is refused (413), never stored or forwarded half
    # redacted; 30 MB of the most hostile text measured takes under 5 s (`python -m bench redact`).
    redaction_budget_s: float = 20.0

    @classmethod
    def from_environ(cls, environ: Mapping[str, str]) -> ServiceSettings:
        """AGENT_TOKEN, DEVELOPER_AGENT_URL, DEVELOPER_AGENT_TOKEN, AGENT_ENGINE_DATABASE_URL,
        AGENT_ENGINE_DRAIN (1 drains), AGENT_ENGINE_DRAIN_FILE, AGENT_ENGINE_HEADER_TIMEOUT_S;
        empty values count as unset."""
        names = {
            "agent_token": "AGENT_TOKEN",
            "developer_agent_url": "DEVELOPER_AGENT_URL",
            "developer_agent_token": "DEVELOPER_AGENT_TOKEN",
            "database_url": "AGENT_ENGINE_DATABASE_URL",
            "drain_file": "AGENT_ENGINE_DRAIN_FILE",
            "header_timeout_s": "AGENT_ENGINE_HEADER_TIMEOUT_S",
        }
        values: dict[str, Any] = {k: environ[v] for k, v in names.items() if environ.get(v)}
        values["drain"] = environ.get("AGENT_ENGINE_DRAIN", "") in ("1", "true", "yes")
        return cls.model_validate(values)

    def draining(self) -> bool:
        """The operator's drain switch: the variable, or the drain file present."""
        return self.drain or self.drain_file.exists()


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
