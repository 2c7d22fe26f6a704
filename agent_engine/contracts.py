"""The documents that cross a process boundary (spec/contracts.md), as strict pydantic models."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

from agent_engine.taxonomy import BlockerType, ErrorType, FixStrategy, HealAction

SCHEMA_VERSION: Literal["1"] = "1"


def _no_dot_segments(value: str) -> str:
    if ".." in value:
        raise ValueError("must not contain '..'")
    return value


# A value that ends up in a path or a key: no separators, no '..', bounded.
SafeToken = Annotated[
    str,
    StringConstraints(pattern=r"^[A-Za-z0-9_][A-Za-z0-9._-]{0,99}$"),
    AfterValidator(_no_dot_segments),
]
# A relative name such as "e2e/test-output.log": no absolute path, no '..'.
SafeName = Annotated[
    str,
    StringConstraints(pattern=r"^[A-Za-z0-9_][A-Za-z0-9._ /+-]{0,199}$"),
    AfterValidator(_no_dot_segments),
]
Repository = Annotated[
    str,
    StringConstraints(pattern=r"^[A-Za-z0-9_.-]{1,100}/[A-Za-z0-9_.-]{1,100}$"),
    AfterValidator(_no_dot_segments),
]
ShortText = Annotated[str, StringConstraints(max_length=1000)]
# What goes into the store's columns (a run's fields, test ids): no NUL, which PostgreSQL's
# text refuses.
StoredText = Annotated[str, StringConstraints(max_length=1000, pattern=r"^[^\x00]*$")]
# A run's key: owner~repo~run_id~attempt~job. `~` is in none of the parts' alphabets, so two
# runs never share a key, and the key is one path segment that is never `.` or `..`.
RUN_KEY_PATTERN = (
    r"^(?P<owner>[A-Za-z0-9_.-]{1,100})~(?P<repo>[A-Za-z0-9_.-]{1,100})"
    r"~(?P<run_id>[A-Za-z0-9_][A-Za-z0-9._-]{0,99})~(?P<attempt>[1-9][0-9]{0,3})"
    r"~(?P<job>[A-Za-z0-9_][A-Za-z0-9._-]{0,99})$"
)
RunKey = Annotated[str, StringConstraints(pattern=RUN_KEY_PATTERN)]
# A test id as a command-line argument: never an option (`--collect-only`), no control chars.
TestId = Annotated[
    str, StringConstraints(max_length=1000, pattern=r"^[^-\s\x00-\x1f][^\x00-\x1f\x7f]*$")
]
# A path inside the repository, as git names it: relative, no '..', no control characters.
RelativePath = Annotated[
    str,
    StringConstraints(max_length=1000, pattern=r"^([^/\x00-\x1f\x7f][^\x00-\x1f\x7f]*)?$"),
    AfterValidator(_no_dot_segments),
]
CommitSha = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{40}([0-9a-f]{24})?$")]
Sha256 = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]
Text = Annotated[str, StringConstraints(max_length=20_000)]


class Contract(BaseModel):
    """Base of every contract document: unknown fields are an error."""

    model_config = ConfigDict(extra="forbid", use_enum_values=False, validate_default=True)


class Versioned(Contract):
    """A top-level document, carrying the schema version it was written with."""

    schema_version: Literal["1"] = SCHEMA_VERSION


# --- the batch the shipper sends -------------------------------------------------------------


class Outcome(StrEnum):
    FAILURE = "failure"
    SUCCESS = "success"
    CANCELLED = "cancelled"


class LogKind(StrEnum):
    TEST_OUTPUT = "test_output"
    BACKEND = "backend"
    JUNIT = "junit"
    PLAYWRIGHT_JSON = "playwright_json"
    INSTALL = "install"
    RUNNER = "runner"
    OTHER = "other"


class TestOutcome(StrEnum):
    __test__ = False  # not a pytest class

    PASSED = "passed"
    FAILED = "failed"
    ERROR = "error"
    SKIPPED = "skipped"


class RunInfo(Contract):
    """Which workflow run, job and commit a batch comes from."""

    repository: Repository
    run_id: SafeToken
    run_attempt: int = Field(default=1, ge=1, le=1000)
    workflow: StoredText = ""
    job: SafeToken
    event: StoredText = ""
    sha: Annotated[str, StringConstraints(pattern=r"^([0-9a-f]{7,64})?$")] = ""
    ref: StoredText = ""
    base_ref: StoredText = ""
    pr_number: int | None = Field(default=None, ge=1, le=2**31 - 1)  # the store's INTEGER
    actor: StoredText = ""
    url: StoredText = ""


class LogFile(Contract):
    """One log or report file, possibly trimmed to a budget."""

    name: SafeName
    kind: LogKind = LogKind.OTHER
    content: str
    truncated: bool = False
    original_bytes: int | None = Field(default=None, ge=0)


class TestResult(Contract):
    """One test's parsed result."""

    __test__ = False  # not a pytest class

    id: StoredText
    outcome: TestOutcome
    duration_s: float | None = Field(default=None, ge=0)
    message: Text = ""
    file: ShortText = ""
    line: int | None = Field(default=None, ge=1, le=10**9)
    attempt: int = Field(default=1, ge=1, le=1000)


class ArtifactLink(Contract):
    name: ShortText
    url: ShortText


class LogBatch(Versioned):
    """What the shipper posts to the Cloud-Agent and the Cloud-Agent forwards."""

    run: RunInfo
    outcome: Outcome
    logs: list[LogFile] = Field(max_length=200)
    tests: list[TestResult] = Field(default_factory=list, max_length=20_000)
    artifacts: list[ArtifactLink] = Field(default_factory=list, max_length=500)


# --- the classification ----------------------------------------------------------------------


class LogLine(Contract):
    line: int = Field(ge=1)
    text: Text


class Evidence(Contract):
    """A log line that decided (or supported) a verdict, with where it stands in its file."""

    log: ShortText
    line: int = Field(ge=1, description="1-based line number in the original file")
    text: Text
    rule_id: ShortText
    error_type: ErrorType
    context: list[LogLine] = Field(default_factory=list, max_length=20)


class Alternative(Contract):
    error_type: ErrorType
    confidence: float = Field(ge=0, le=1)


class FailedTest(Contract):
    """A failed test as the logs or reports name it; UI tests carry locator and action."""

    id: ShortText
    file: ShortText = ""
    line: int | None = Field(default=None, ge=1)
    message: Text = ""
    locator: ShortText = ""
    action: ShortText = ""


class Classification(Versioned):
    """The classifier's verdict on one failed run (spec/taxonomy.md, What a verdict carries)."""

    error_type: ErrorType
    blocker_type: BlockerType
    confidence: float = Field(ge=0, le=1)
    summary: Text
    evidence: list[Evidence] = Field(default_factory=list, max_length=50)
    alternatives: list[Alternative] = Field(default_factory=list, max_length=20)
    failed_tests: list[FailedTest] = Field(default_factory=list, max_length=500)
    failed_tests_total: int = Field(default=0, ge=0)
    signature: Annotated[str, StringConstraints(pattern=r"^[a-z_]+:[0-9a-f]{16}$")]
    next_step: Text
    escalate_after_attempts: int = Field(ge=0)
    lines_scanned: int = Field(default=0, ge=0)
    bytes_scanned: int = Field(default=0, ge=0)
    decided_by: Literal["rules", "model", "both"] = Field(
        default="rules",
        description="rules: the rules alone; model: the learned second opinion, the rules being"
        " silent; both: the rules were weak and the model agreed",
    )
    model_tokens: list[ShortText] = Field(
        default_factory=list,
        max_length=10,
        description="the words that weighed most in the model's opinion, when it was asked",
    )


# --- what the Developer-Agent answers --------------------------------------------------------


class History(Contract):
    """What the store knows of this signature and these tests."""

    seen_before: int = Field(default=0, ge=0)
    first_seen: ShortText = ""
    last_seen: ShortText = ""
    flaky_tests: list[ShortText] = Field(default_factory=list)
    failing_on_base: bool = False


class SelfHealPlan(Contract):
    eligible: bool
    actions: list[HealAction] = Field(default_factory=list)
    tests: list[ShortText] = Field(default_factory=list)
    max_attempts: int = Field(default=0, ge=0)
    reason: Text


class FixTarget(Contract):
    test_id: ShortText
    file: ShortText = ""
    line: int | None = Field(default=None, ge=1)
    locator: ShortText = ""
    action: ShortText = ""


class FixAgentInstructions(Contract):
    applicable: bool
    strategy: FixStrategy = FixStrategy.NONE
    targets: list[FixTarget] = Field(default_factory=list)
    hints: list[Text] = Field(default_factory=list)
    constraints: list[ShortText] = Field(default_factory=list)


class Trigger(Contract):
    """A named downstream hook, whether it fires, and the condition it fires under."""

    name: SafeToken
    fires: bool
    condition: ShortText


class Analysis(Versioned):
    """The Developer-Agent's answer to a batch."""

    run_key: ShortText
    duplicate: bool = False
    classification: Classification
    history: History = Field(default_factory=History)
    self_heal_plan: SelfHealPlan
    fix_agent_instructions: FixAgentInstructions
    triggers: list[Trigger] = Field(default_factory=list)
    next_step: Text
    escalate_after_attempts: int = Field(ge=0)
    source: Literal["service", "local"] = Field(
        default="service",
        description="local: classified by the shipper because the service was not reached",
    )


class RunSummary(Contract):
    """One stored run, as GET /runs lists it."""

    run_key: ShortText
    repository: ShortText
    run_id: ShortText
    run_attempt: int
    job: ShortText
    sha: ShortText
    ref: ShortText
    base_ref: ShortText
    pr_number: int | None
    outcome: Outcome
    error_type: ErrorType
    signature: ShortText
    confidence: float
    created_at: ShortText


class RunList(Versioned):
    runs: list[RunSummary]


class Received(Versioned):
    """The Cloud-Agent's answer: the Developer-Agent's analysis, as it came."""

    status: Literal["received"] = "received"
    upstream: Analysis


class Health(Contract):
    status: Literal["ok", "draining", "degraded"]
    deployment_status: Literal["stable", "deploying", "degraded"]
    version: ShortText
    store: Literal["ok", "unavailable", "none"]


# --- the error shape -------------------------------------------------------------------------


class ErrorBlocker(StrEnum):
    AGENT = "agent"
    TRANSIENT = "transient"
    SYSTEM = "system"
    EXTERNAL = "external"


class ErrorDetail(Contract):
    loc: list[str | int] = Field(default_factory=list)
    msg: str


class ErrorBody(Contract):
    error_code: SafeToken
    message: str
    blocker_type: ErrorBlocker
    next_step: str
    retryable: bool
    details: list[ErrorDetail] = Field(default_factory=list)
    request_id: str = ""


class ErrorResponse(Contract):
    """Every non-2xx answer, and the CLI's JSON error output."""

    error: ErrorBody


# Every published document, by the name of its schema file.
DOCUMENTS: dict[str, type[BaseModel]] = {
    "log-batch": LogBatch,
    "classification": Classification,
    "analysis": Analysis,
    "error": ErrorResponse,
}
