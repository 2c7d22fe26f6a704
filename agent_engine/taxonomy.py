"""The closed failure taxonomy: error types, whose move each is, and what each allows."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class ErrorType(StrEnum):
    """The root cause of a failed run (spec/taxonomy.md); the list is closed."""

    LOCATOR_NOT_FOUND = "locator_not_found"
    ASSERTION_FAILED = "assertion_failed"
    TEST_TIMEOUT = "test_timeout"
    NAVIGATION_FAILED = "navigation_failed"
    AUTH_FAILED = "auth_failed"
    SEED_DATA_MISSING = "seed_data_missing"
    BACKEND_EXCEPTION = "backend_exception"
    HEALTH_CHECK_FAILED = "health_check_failed"
    DATABASE_UNAVAILABLE = "database_unavailable"
    MIGRATION_FAILED = "migration_failed"
    DEPENDENCY_INSTALL_FAILED = "dependency_install_failed"
    BROWSER_NOT_INSTALLED = "browser_not_installed"
    RESOURCE_EXHAUSTED = "resource_exhausted"
    TEST_COLLECTION_ERROR = "test_collection_error"
    NETWORK_FLAKE = "network_flake"
    RUNNER_CANCELLED = "runner_cancelled"
    UNKNOWN = "unknown"


class BlockerType(StrEnum):
    """Whose move it is after a failure."""

    TRANSIENT = "transient"
    INFRASTRUCTURE = "infrastructure"
    EXTERNAL = "external"
    CODE = "code"


class HealAction(StrEnum):
    """Reversible, non-code repairs that self-heal may run."""

    RERUN_FAILED = "rerun_failed"
    RESEED_DB = "reseed_db"
    REGENERATE_STORAGE_STATE = "regenerate_storage_state"
    RESTART_BACKEND = "restart_backend"
    RESTART_DATABASE = "restart_database"
    INSTALL_BROWSERS = "install_browsers"
    RERUN_JOB = "rerun_job"


class FixStrategy(StrEnum):
    """How the fix agent may change code for a type."""

    HEAL_LOCATOR = "heal_locator"
    NONE = "none"


@dataclass(frozen=True, slots=True)
class TypeInfo:
    """What the taxonomy says of one error type."""

    blocker: BlockerType
    rank: int  # precedence: lower is earlier in the causal chain
    actions: tuple[HealAction, ...]
    fix: FixStrategy
    next_step: str
    escalate_after_attempts: int


_E = ErrorType
_B = BlockerType
_A = HealAction
_F = FixStrategy

TAXONOMY: dict[ErrorType, TypeInfo] = {
    _E.RUNNER_CANCELLED: TypeInfo(
        _B.INFRASTRUCTURE,
        1,
        (),
        _F.NONE,
        "Rerun the job; if the runner keeps being lost, check the job's time limit and the "
        "runner's health.",
        1,
    ),
    _E.RESOURCE_EXHAUSTED: TypeInfo(
        _B.INFRASTRUCTURE,
        1,
        (),
        _F.NONE,
        "Free the exhausted resource (memory, disk, file handles) or use a larger runner, "
        "then rerun.",
        0,
    ),
    _E.DEPENDENCY_INSTALL_FAILED: TypeInfo(
        _B.EXTERNAL,
        2,
        (_A.RERUN_JOB,),
        _F.NONE,
        "Retry the job later; if it persists, check the pinned versions and the registry.",
        2,
    ),
    _E.BROWSER_NOT_INSTALLED: TypeInfo(
        _B.INFRASTRUCTURE,
        2,
        (_A.INSTALL_BROWSERS,),
        _F.NONE,
        "Install the browser the test framework expects (or point it at the installed one), "
        "then rerun.",
        1,
    ),
    _E.DATABASE_UNAVAILABLE: TypeInfo(
        _B.INFRASTRUCTURE,
        3,
        (_A.RESTART_DATABASE,),
        _F.NONE,
        "Make the database reachable (service health, host, port, connection limit), then rerun.",
        1,
    ),
    _E.MIGRATION_FAILED: TypeInfo(
        _B.CODE,
        4,
        (),
        _F.NONE,
        "Fix the failing migration named in the evidence; rerunning will not help.",
        0,
    ),
    _E.HEALTH_CHECK_FAILED: TypeInfo(
        _B.INFRASTRUCTURE,
        5,
        (_A.RESTART_BACKEND,),
        _F.NONE,
        "Read the backend log for why it never became healthy, restart it, then rerun.",
        1,
    ),
    _E.TEST_COLLECTION_ERROR: TypeInfo(
        _B.CODE,
        6,
        (),
        _F.NONE,
        "Fix the import, syntax or fixture error that stops the tests from being collected.",
        0,
    ),
    _E.SEED_DATA_MISSING: TypeInfo(
        _B.INFRASTRUCTURE,
        7,
        (_A.RESEED_DB, _A.RERUN_FAILED),
        _F.NONE,
        "Reseed the database with the baseline data, then rerun the failed tests.",
        1,
    ),
    _E.AUTH_FAILED: TypeInfo(
        _B.INFRASTRUCTURE,
        7,
        (_A.REGENERATE_STORAGE_STATE, _A.RERUN_FAILED),
        _F.NONE,
        "Regenerate the login storage state, then rerun the failed tests.",
        1,
    ),
    _E.BACKEND_EXCEPTION: TypeInfo(
        _B.CODE,
        8,
        (),
        _F.NONE,
        "Fix the server-side exception shown in the backend log; the tests only saw its symptom.",
        0,
    ),
    _E.NAVIGATION_FAILED: TypeInfo(
        _B.INFRASTRUCTURE,
        9,
        (_A.RESTART_BACKEND, _A.RERUN_FAILED),
        _F.NONE,
        "Check that the app under test is running at the URL the tests use, restart it, "
        "then rerun.",
        1,
    ),
    _E.NETWORK_FLAKE: TypeInfo(
        _B.TRANSIENT,
        9,
        (_A.RERUN_FAILED,),
        _F.NONE,
        "Rerun the failed tests; a third party's network failed.",
        2,
    ),
    _E.LOCATOR_NOT_FOUND: TypeInfo(
        _B.CODE,
        10,
        (_A.RERUN_FAILED,),
        _F.HEAL_LOCATOR,
        "Update the locator to match the page (the fix agent can propose a healed locator).",
        1,
    ),
    _E.TEST_TIMEOUT: TypeInfo(
        _B.TRANSIENT,
        10,
        (_A.RERUN_FAILED,),
        _F.NONE,
        "Rerun the failed tests; if the timeout repeats, find what made the test slow.",
        2,
    ),
    _E.ASSERTION_FAILED: TypeInfo(
        _B.CODE,
        10,
        (_A.RERUN_FAILED,),
        _F.NONE,
        "Compare the expected and actual values in the evidence and fix the code or the "
        "test's expectation.",
        1,
    ),
    _E.UNKNOWN: TypeInfo(
        _B.CODE,
        11,
        (),
        _F.NONE,
        "Read the evidence and the full log; no known failure pattern matched.",
        0,
    ),
}
