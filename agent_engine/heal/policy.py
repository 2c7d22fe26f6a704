"""Self-heal's decision: a pure function of the context, every rule listed with its outcome
and the policy values in force (spec/self-heal-and-fix.md, Self-heal)."""

from __future__ import annotations

from collections import Counter
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from agent_engine.contracts import Versioned
from agent_engine.settings import Policy
from agent_engine.taxonomy import TAXONOMY, BlockerType, ErrorType, HealAction

# Actions self-heal can run itself; `rerun_job` is advice for a human or the workflow.
RUNNABLE = frozenset(HealAction) - {HealAction.RERUN_JOB}


class LedgerEntry(BaseModel):
    """One action already run for a (sha, failure signature)."""

    model_config = ConfigDict(extra="forbid")

    sha: str
    signature: str
    action: HealAction
    run_id: str = ""


class Context(Versioned):
    """What decide needs (self-heal/context.json)."""

    run_id: str
    sha: str
    trigger: str
    error_type: ErrorType
    blocker_type: BlockerType
    signature: str
    analysis_source: Literal["artifact", "service", "local"]
    failed_tests: list[str]
    total_tests: int = Field(ge=0)
    ledger: list[LedgerEntry] = Field(default_factory=list)
    agent_depth: int = Field(default=0, ge=0, description="self-heal runs that led to this run")
    runnable: list[HealAction] = Field(description="actions with a command configured here")
    policy: Policy


class RuleOutcome(BaseModel):
    model_config = ConfigDict(extra="forbid")

    rule: str
    passed: bool
    detail: str


class Decision(Versioned):
    """What execute may do, why, and the policy in force (self-heal/decision.json)."""

    run_id: str
    sha: str
    signature: str
    error_type: ErrorType
    allowed: bool
    actions: list[HealAction]
    tests: list[str]
    rules: list[RuleOutcome]
    reason: str
    escalate: bool
    policy: Policy


def decide(context: Context) -> Decision:
    """Allow the type's allow-listed actions only when every rule holds."""
    policy = context.policy
    wanted = [a for a in TAXONOMY[context.error_type].actions if a in RUNNABLE]
    used = Counter(
        e.action for e in context.ledger if (e.sha, e.signature) == (context.sha, context.signature)
    )
    actions = [a for a in wanted if a in context.runnable]
    missing = [a for a in wanted if a not in context.runnable]
    under_cap = [a for a in actions if used[a] < policy.max_attempts_per_action]
    failed, total = len(context.failed_tests), context.total_tests
    # Most tests failing at once is a storm that rerunning cannot fix; an environment repair
    # that explains it (a new storage state, a reseed, a restart) may still run.
    repairs = [a for a in actions if a is not HealAction.RERUN_FAILED]
    storm = total > 0 and failed / total > policy.storm_share and not repairs
    rules = [
        _rule(
            "eligible_type",
            context.error_type in policy.eligible_types and bool(wanted),
            f"{context.error_type.value}: allow-listed {[a.value for a in wanted] or 'none'}",
        ),
        _rule(
            "actions_configured",
            len(actions) == len(wanted),
            f"not configured in [self_heal.commands]: {[a.value for a in missing]}"
            if missing
            else f"runnable here: {[a.value for a in actions] or 'none'}",
        ),
        _rule(
            "trigger_allowed",
            _trigger_ok(context),
            f"trigger {context.trigger!r}; allowed "
            f"{policy.triggers}, pull_request for transient: "
            f"{policy.allow_pull_request_for_transient}",
        ),
        _rule(
            "ledger_under_cap",
            under_cap == actions,
            f"used for this sha and signature: {dict(used) or 'nothing'}; cap "
            f"{policy.max_attempts_per_action} per action",
        ),
        _rule(
            "actions_per_run",
            len(under_cap) <= policy.max_actions_per_run,
            f"{len(under_cap)} action(s); cap {policy.max_actions_per_run} per run",
        ),
        _rule(
            "no_failure_storm",
            not storm,
            f"{failed} of {total or 'unknown'} tests failed; a storm is above "
            f"{policy.storm_share:.0%} with no environment repair to explain it",
        ),
        _rule(
            "no_loop",
            context.agent_depth < policy.max_attempts_per_action,
            f"this run follows {context.agent_depth} self-heal run(s)",
        ),
        _rule(
            "failed_tests_known",
            failed > 0 or HealAction.RERUN_FAILED not in actions,
            f"{failed} failed test id(s) to rerun",
        ),
    ]
    allowed = all(r.passed for r in rules)
    blocked = [r for r in rules if not r.passed]
    reason = "all rules hold" if allowed else "; ".join(f"{r.rule}: {r.detail}" for r in blocked)
    if storm:
        # who moves next follows the verdict: a change that breaks most tests (a renamed
        # locator they share) is the code's, not the infrastructure's
        owner = (
            "code, for the fix agent"
            if context.blocker_type is BlockerType.CODE
            else f"{context.blocker_type.value}, escalate"
        )
        reason = f"{owner}: {failed} of {total} tests failed at once; rerunning cannot fix that"
    return Decision(
        run_id=context.run_id,
        sha=context.sha,
        signature=context.signature,
        error_type=context.error_type,
        allowed=allowed,
        actions=actions if allowed else [],
        tests=context.failed_tests if allowed else [],
        rules=rules,
        reason=reason,
        escalate=not allowed,
        policy=policy,
    )


def _trigger_ok(context: Context) -> bool:
    if context.trigger in context.policy.triggers:
        return True
    return (
        context.trigger == "pull_request"
        and context.policy.allow_pull_request_for_transient
        and context.blocker_type is BlockerType.TRANSIENT
    )


def _rule(name: str, passed: bool, detail: str) -> RuleOutcome:
    return RuleOutcome(rule=name, passed=passed, detail=detail)
