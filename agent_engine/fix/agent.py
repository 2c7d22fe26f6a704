"""The fix agent (spec/self-heal-and-fix.md): the input it works from, the plan (heal each
failing locator, find where it is written), and the patch: written on a git worktree, checked
by the guardrails, validated by rerunning the affected tests. Nothing is pushed."""

from __future__ import annotations

import hashlib
import os
import re
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, TypeVar

from pydantic import Field, TypeAdapter, ValidationError

from agent_engine.contracts import (
    Analysis,
    CommitSha,
    Contract,
    RelativePath,
    SafeToken,
    Sha256,
    ShortText,
    TestId,
    TestOutcome,
    Text,
    Versioned,
)
from agent_engine.errors import InputError
from agent_engine.fix.guardrails import (
    RULES,
    Violation,
    check,
    paths_of,
    plugin_paths,
    report,
    test_files,
)
from agent_engine.fix.healer import Heal, heal_locator, narrowing_tail
from agent_engine.fix.imports import by_suffix, imported
from agent_engine.fix.locators import LocatorError, Step, document, parse, render, resolve
from agent_engine.fix.report import (
    Edit,
    FixMetadata,
    GuardrailReport,
    HealRecord,
    Outcome,
    Validation,
    commit_message,
    merged,
    pr_body,
    rules_of,
)
from agent_engine.fix.sites import Site, edits, locate, write_edits
from agent_engine.fix.worktree import (
    FixAgentError,
    copy_into,
    digest,
    git,
    restore,
    sources,
    stray_files,
    take_diff,
    worktree,
)
from agent_engine.heal.process import Limits, ProcessRecord, run
from agent_engine.settings import GuardrailPolicy, Settings, expand
from agent_engine.taxonomy import ErrorType, FixStrategy
from agent_engine.triage.classify import Classifier, LogSource
from agent_engine.triage.junit import Case, outcomes, read_cases, same_test
from agent_engine.triage.redact import redact

MAX_SNAPSHOT_BYTES = 5 * 1024 * 1024
MAX_USERS = 20  # test files rerun because they import an edited page object or helper


# --- fix-agent/input.json --------------------------------------------------------------------


class SourceEvidence(Contract):
    file: ShortText
    line: int | None = Field(default=None, ge=1)
    text: Text


class InputTarget(Contract):
    test_id: TestId
    file: RelativePath
    line: int | None = Field(default=None, ge=1)
    locator: ShortText
    action: ShortText
    snapshot: Sha256 | Literal[""] = Field(default="", description="sha256 of its DOM snapshot")
    baselines: list[Sha256] = Field(
        default_factory=list,
        description="sha256 of the pages of the same test in the last passing run, before "
        "each of its actions (`--agent-engine-baseline`)",
    )


class Constraints(Contract):
    strategy: FixStrategy
    fix_class: ShortText = "locator"
    guardrails: GuardrailPolicy
    validation_runs: int
    validation_budget_s: float
    notes: list[ShortText] = Field(default_factory=list)


class FixInput(Versioned):
    """What apply-and-validate works from; redacted, and the same for the same run."""

    run_id: SafeToken
    base_sha: CommitSha
    error_type: ErrorType
    signature: ShortText
    applicable: bool
    reason: Text
    failing_tests: list[TestId]
    evidence: list[SourceEvidence]
    targets: list[InputTarget]
    snapshots: dict[Sha256, str] = Field(
        description="DOM snapshots of the failures and the last passing run's pages, by sha256"
    )
    constraints: Constraints


def build_input(  # noqa: PLR0917 - the input, from its sources
    analysis: Analysis,
    junit: Sequence[Path],
    settings: Settings,
    run_id: str,
    base_sha: str,
    root: Path,
    baseline: Sequence[Path] = (),
    baseline_root: Path | None = None,
) -> FixInput:
    """Targets from the analysis, each with the DOM snapshot its JUnit case names and the
    pages its test had in the last passing run (`baseline`: that run's JUnit reports, whose
    relative page paths start at `baseline_root`, by default `root`)."""
    verdict = analysis.classification
    instructions = analysis.fix_agent_instructions
    snapshots: dict[str, str] = {}
    by_test = {k: v[0] for k, v in _pages(junit, "dom_snapshot", root, snapshots).items()}
    passing = _pages(baseline, "dom_baseline", baseline_root or root, snapshots)
    targets = [
        InputTarget(
            test_id=t.test_id,
            file=t.file,
            line=t.line,
            locator=t.locator,
            action=t.action,
            snapshot=_lookup(by_test, t.test_id) or "",
            baselines=_lookup(passing, t.test_id) or [],
        )
        for t in instructions.targets
        if _safe(_TEST_ID, t.test_id) and _safe(_PATH, t.file)
    ]
    used = {t.snapshot for t in targets} | {b for t in targets for b in t.baselines}
    evidence = [
        SourceEvidence(file=t.file, line=t.line, text=t.message)
        for t in verdict.failed_tests
        if t.file
    ][:20] + [SourceEvidence(file=e.log, line=e.line, text=e.text) for e in verdict.evidence[:10]]
    fix = settings.fix_agent
    reason = (
        f"{len(targets)} failing locator(s) to heal"
        if instructions.applicable
        else f"{verdict.error_type.value} is not fixed by changing test code"
    )
    return FixInput(
        run_id=run_id,
        base_sha=base_sha,
        error_type=verdict.error_type,
        signature=verdict.signature,
        applicable=instructions.applicable,
        reason=reason,
        failing_tests=[t.id for t in verdict.failed_tests if _safe(_TEST_ID, t.id)],
        evidence=evidence,
        targets=targets,
        snapshots={k: v for k, v in sorted(snapshots.items()) if k in used},
        constraints=Constraints(
            strategy=instructions.strategy,
            guardrails=fix.guardrails,
            validation_runs=fix.validation_runs,
            validation_budget_s=fix.validation_budget_s,
            notes=instructions.constraints,
        ),
    )


def frozen_differences(fix_input: FixInput, settings: Settings) -> list[str]:
    """What agent-engine.toml now says differently from what prepare-input froze (a patch is
    judged and validated by the constraints in input.json, never silently by others)."""
    frozen, now = fix_input.constraints, settings.fix_agent
    pairs = {
        "[fix_agent.guardrails]": (frozen.guardrails, now.guardrails),
        "[fix_agent] validation_runs": (frozen.validation_runs, now.validation_runs),
        "[fix_agent] validation_budget_s": (frozen.validation_budget_s, now.validation_budget_s),
    }
    return [f"{key}: {old!r} then, {new!r} now" for key, (old, new) in pairs.items() if old != new]


_T = TypeVar("_T")
_TEST_ID: TypeAdapter[str] = TypeAdapter(TestId)
_PATH: TypeAdapter[str] = TypeAdapter(RelativePath)


def _safe(adapter: TypeAdapter[str], value: str) -> bool:
    """Test ids and paths come from logs: one that could pass for an option (`-p x`) or
    leave the repository (`../x`) is dropped, never run or opened."""
    try:
        adapter.validate_python(value)
    except ValidationError:
        return False
    return True


def _pages(
    junit: Sequence[Path], name: str, root: Path, into: dict[str, str]
) -> dict[str, list[str]]:
    """Test id -> sha256 of the pages its JUnit case names (`name`, `name_2`...), each read,
    size-capped, redacted and stored in `into`."""
    found: dict[str, list[str]] = {}
    for case in read_cases(junit):
        named = [v for k, v in case.properties.items() if re.fullmatch(rf"{name}(_\d+)?", k)]
        for value in named:
            path = Path(value)
            path = path if path.is_absolute() else root / path
            try:
                if path.stat().st_size > MAX_SNAPSHOT_BYTES:
                    continue
                html = redact(path.read_text(encoding="utf-8", errors="replace"))
            except OSError:
                continue
            digest = hashlib.sha256(html.encode()).hexdigest()
            into[digest] = html
            found.setdefault(case.result.id, []).append(digest)
    return found


def _lookup(by_test: Mapping[str, _T], test_id: str) -> _T | None:
    """The test's entry, or the one entry of a test of that name reported under another
    path (a report written from another directory)."""
    if test_id in by_test:
        return by_test[test_id]
    name = test_id.rsplit("::", 1)[-1]
    same = [v for k, v in by_test.items() if k.rsplit("::", 1)[-1] == name]
    return same[0] if len(same) == 1 or (same and all(v == same[0] for v in same)) else None


# --- apply-and-validate ----------------------------------------------------------------------


class FixAgent:
    """Plans the edit, writes it on a worktree, checks it, validates it; writes nothing else."""

    def __init__(
        self, settings: Settings, root: Path, out: Path, classifier: Classifier | None = None
    ) -> None:
        self.settings, self.root, self.out = settings, root, out
        self.classifier = classifier
        self.copied: dict[str, str] = {}

    def run(
        self, fix_input: FixInput, proposal: str | None = None, fix_class: str = "locator"
    ) -> tuple[str, FixMetadata]:
        """The patch (empty when nothing safe) and its metadata."""
        digest = hashlib.sha256(fix_input.model_dump_json().encode())
        digest.update((proposal or "").encode())
        meta = _Meta(fix_input, digest.hexdigest(), fix_class, proposal is not None)
        if proposal is None and not fix_input.applicable:
            return "", meta.finish("not_applicable", fix_input.reason)
        with worktree(self.root, fix_input.base_sha) as tree:
            self.copied = copy_into(self.root, tree, self.settings.fix_agent.worktree_copy)
            outcome, reason, diff = self._on_tree(tree, proposal, meta)
        return diff, meta.finish(outcome, reason, diff)

    def _on_tree(self, tree: Path, proposal: str | None, meta: _Meta) -> tuple[Outcome, str, str]:
        if proposal is None:
            meta.changes = plan(meta.input, tree, meta.heals)
            if not meta.changes:
                return "abstained", "no locator could be healed safely", ""
            write_edits(tree, [(c.site, c.after) for c in meta.changes])
        elif not self._apply_proposal(tree, proposal, meta):
            return "refused", "the proposed patch does not apply", ""
        diff = take_diff(tree)
        policy = self.policy(tree, meta.input.constraints.guardrails)
        failing = [t.locator for t in meta.input.targets]
        found = judge(tree, diff, policy, meta.fix_class, failing, self.copied)
        if proposal is not None:  # what it names, in case git applied it elsewhere or not at all
            named = check(proposal, policy, meta.fix_class)
            found += [v for v in named if (v.rule, v.path) not in {(f.rule, f.path) for f in found}]
        meta.guardrails = GuardrailReport(
            decision="refuse" if found else "pass",
            fix_class=meta.fix_class,
            rules=report(found, diff, policy, meta.fix_class),
            violations=found,
            worktree_clean=restore(tree),
        )
        if found:
            return "refused", f"refused by the guardrails: {rules_of(found)}", ""
        if not diff:
            return "abstained", "the edit changes nothing", ""
        meta.validation = self.validate(tree, diff, meta.tests())
        restore(tree)
        if meta.validation.status == "validated":
            return "validated", meta.validation.reason, diff
        return "needs_manual_review", meta.validation.reason, diff

    def policy(self, tree: Path, policy: GuardrailPolicy) -> GuardrailPolicy:
        """The input's policy, with the modules the run loads as plugins protected too."""
        commands = _commands(self.settings)
        listed = git(["ls-files", "-z"], tree).split("\0")
        configs = [p for p in listed if Path(p).name in _RUN_CONFIGS]
        python = git(["grep", "-l", "-z", "-F", "pytest_plugins", "--", "*.py"], tree, ok=(0, 1))
        texts = [*commands, *((tree / p).read_text("utf-8", "replace") for p in configs)]
        modules = [(tree / p).read_bytes() for p in python.split("\0") if p]
        extra = plugin_paths(texts, modules)
        return policy.model_copy(update={"protected": [*policy.protected, *extra]})

    def _apply_proposal(self, tree: Path, proposal: str, meta: _Meta) -> bool:
        """Apply a patch from another source in the worktree, as git would."""
        try:
            git(["apply", "--whitespace=nowarn", "-"], tree, proposal.encode())
        except FixAgentError as exc:
            policy = meta.input.constraints.guardrails
            found = [
                *check(proposal, policy, meta.fix_class),
                Violation(
                    rule="patch_does_not_apply",
                    threshold=RULES["patch_does_not_apply"],
                    observed=str(exc),
                ),
            ]
            meta.guardrails = GuardrailReport(
                decision="refuse",
                fix_class=meta.fix_class,
                rules=report(found, proposal, policy, meta.fix_class),
                violations=found,
                worktree_clean=restore(tree),
            )
            return False
        return True

    def validate(self, tree: Path, diff: str, tests: list[str]) -> Validation:
        """Reproduce without the patch, then K passing runs with it, within the budget; each
        run proven by its own JUnit XML: every target test executed and passed, and every
        other test of the edited files that passed without the patch passes with it."""
        fix, e2e = self.settings.fix_agent, self.settings.e2e
        command = fix.validation_command or (e2e.run_subset if e2e else None)
        runs, budget = fix.validation_runs, fix.validation_budget_s
        if command is None:
            return Validation(
                status="not_configured",
                reason="no [fix_agent] validation_command nor [e2e] run_subset to rerun the tests",
            )
        copy_into(self.root, tree, fix.worktree_copy)  # restored away after the guardrails
        paths = paths_of(diff)
        edited = sorted({*test_files(paths), *users_of(tree, paths)})
        selection = [*edited, *(t for t in tests if t.partition("::")[0] not in edited)]
        result = Validation(
            status="not_run",
            command=self._argv(command, selection, Path("{junit}")),
            tests=tests,
            also_checked=edited,
            required_runs=runs,
            budget_s=budget,
        )
        deadline = time.monotonic() + budget
        run = _Runner(self, tree, command, selection, deadline)
        baseline, cases = run("reproduce")
        result.baseline, result.baseline_error_type = baseline, self._error_type(baseline)
        before = outcomes(cases, tests)
        result.reproduced = any(o in ("failed", "error") for o in before.values())
        if not result.reproduced:
            result.status = "not_reproduced"
            result.reason = "without the patch the target tests were " + _how(before)
            return result
        green = sorted(
            c.result.id
            for c in cases
            if c.result.outcome is TestOutcome.PASSED
            and not any(same_test(c.result.id, t) for t in tests)
        )
        result.kept_green = green
        git(["apply", "--whitespace=nowarn", "-"], tree, diff.encode())
        # the first run checks the other tests too; the later ones rerun the target tests
        # alone (the app's data is shared between runs: a test that adds a row changes what
        # another one lists the next time)
        again = _Runner(self, tree, command, tests, deadline)
        for index in range(1, runs + 1):
            if time.monotonic() >= deadline:
                result.status = "over_budget"
                result.reason = f"budget of {budget:g}s spent after {index - 1} run(s)"
                return result
            record, cases = (run if index == 1 else again)(f"validate-{index}")
            result.runs.append(record)
            checked = tests + green if index == 1 else tests
            broken = {t: o for t, o in outcomes(cases, checked).items() if o != "passed"}
            if broken or record.timed_out or record.stalled:
                spent = record.timed_out or time.monotonic() >= deadline
                result.status = "over_budget" if spent else "failed"
                why = _how(broken) if broken else f"ended by {record.ended_by} ({_limit(record)})"
                result.reason = f"run {index} of {runs}: {why}"
                return result
            result.passed_runs += 1
        result.status = "validated"
        result.reason = (
            f"reproduced without the patch ({result.baseline_error_type or 'failed'}); "
            f"with it {runs}/{runs} runs passed, each proven by its JUnit report: "
            f"{len(tests)} target test(s) executed and passed"
            + (
                f", {len(green)} other test(s) of the edited files and of the test files that "
                "import them still pass (run 1)"
                if green
                else ""
            )
        )
        return result

    def _argv(self, command: list[str], selection: list[str], junit: Path) -> list[str]:
        app = self.settings.app
        argv = expand(
            command,
            python=sys.executable,
            base_url=app.base_url if app else "",
            checkout=str(self.root.resolve()),
            tests=selection,
            junit=str(junit),
        )
        return argv if "{junit}" in command else [*argv, f"--junitxml={junit}"]

    def environment(self) -> dict[str, str]:
        """What a validation run sees: an allow-list, never the caller's tokens (code from a
        proposed patch runs in it)."""
        fix, e2e = self.settings.fix_agent, self.settings.e2e
        names = {*SAFE_ENV, *fix.pass_env}
        env = {k: v for k, v in os.environ.items() if k in names or k.startswith("LC_")}
        return {**env, **(e2e.env if e2e else {})}

    def _run(
        self,
        name: str,
        argv: list[str],
        tree: Path,
        logs: Path,
        deadline: float,
    ) -> ProcessRecord:
        remaining = max(deadline - time.monotonic(), 1.0)
        policy = self.settings.self_heal.policy
        limits = Limits(timeout_s=remaining, stall_s=min(policy.stall_timeout_s, remaining))
        record = run(name, argv, logs, limits=limits, env=self.environment(), cwd=tree)
        return record.model_copy(
            update={
                "stdout_tail": redact(record.stdout_tail),
                "stderr_tail": redact(record.stderr_tail),
            }
        )

    def _error_type(self, record: ProcessRecord) -> str:
        if self.classifier is None:
            return ""
        verdict = self.classifier.classify(
            [LogSource.from_path(Path(record.stdout)), LogSource.from_path(Path(record.stderr))]
        )
        return verdict.error_type.value


# What a validation run may see of the caller's environment, besides [e2e] env and the
# names listed in [fix_agent] pass_env (never tokens: settings refuses those names).
SAFE_ENV = frozenset(
    {
        "PATH", "HOME", "USER", "LOGNAME", "SHELL", "LANG", "LANGUAGE", "TZ", "TMPDIR", "TERM",
        "VIRTUAL_ENV", "PYTHONIOENCODING", "PYTHONUTF8", "CI", "DISPLAY", "XDG_RUNTIME_DIR",
        "PLAYWRIGHT_BROWSERS_PATH", "CHROMIUM_EXECUTABLE", "SYSTEMROOT",
    }
)  # fmt: skip
# Files whose options can load plugins into a test run.
_RUN_CONFIGS = frozenset({"pytest.ini", ".pytest.ini", "tox.ini", "setup.cfg", "pyproject.toml"})


def users_of(tree: Path, paths: Sequence[str]) -> list[str]:
    """The test files that use an edited module that is not itself a test file: those that
    import it (a page object, a helper) and, for a `conftest.py`, those beside and below it.
    One level of imports; at most MAX_USERS files, the nearest to the edit first."""
    modules = {p for p in paths if p.endswith(".py") and not test_files([p])}
    if not modules:
        return []
    listed = [p for p in git(["ls-files", "-z", "--", "*.py"], tree).split("\0") if p]
    index = by_suffix(listed)
    found: set[str] = set()
    for test in test_files(listed):
        under = any(
            Path(m).name == "conftest.py" and Path(test).is_relative_to(Path(m).parent)
            for m in modules
        )
        path = tree / test
        text = path.read_text("utf-8", "replace") if path.is_file() else ""
        if under or imported(test, text, index) & modules:
            found.add(test)

    def near(test: str) -> int:
        return max(len(os.path.commonpath([test, m]).split("/")) for m in modules)

    return sorted(found, key=lambda t: (-near(t), t))[:MAX_USERS]


def judge(  # noqa: PLR0917 - the worktree and what judging it takes
    tree: Path,
    diff: str,
    policy: GuardrailPolicy,
    fix_class: str,
    failing: Sequence[str],
    copied: Mapping[str, str],
) -> list[Violation]:
    """The guardrails on the worktree as it stands: the diff with each file's contents before
    and after, and anything the worktree holds that the diff does not (but the git-ignored
    files copied in from the checkout, unchanged)."""
    found = check(diff, policy, fix_class, sources(tree, paths_of(diff)), failing)
    stray = [p for p in stray_files(tree) if copied.get(p) != digest(tree / p)]
    if stray:
        shown = ", ".join(stray[:5]) + (f" and {len(stray) - 5} more" if len(stray) > 5 else "")
        found.append(
            Violation(rule="ignored_file", threshold=RULES["ignored_file"], observed=shown)
        )
    return found


def _commands(settings: Settings) -> list[str]:
    """The commands and variables that start a test run, as text (they may name plugins)."""
    e2e = settings.e2e
    commands = [settings.fix_agent.validation_command]
    if e2e:
        commands += [e2e.run, e2e.run_subset, e2e.smoke, e2e.auth, list(e2e.env.values())]
    return [" ".join(c) for c in commands if c]


class _Runner:
    """One validation run: the command on the worktree with its own JUnit report (a missing
    or unreadable report proves nothing: every test counts as missing)."""

    def __init__(
        self, agent: FixAgent, tree: Path, command: list[str], selection: list[str], deadline: float
    ) -> None:
        self.agent, self.tree, self.command = agent, tree, command
        self.selection, self.deadline = selection, deadline
        self.logs = agent.out / "validation"

    def __call__(self, name: str) -> tuple[ProcessRecord, list[Case]]:
        self.logs.mkdir(parents=True, exist_ok=True)
        junit = (self.logs / f"{name}.junit.xml").resolve()
        junit.unlink(missing_ok=True)
        argv = self.agent._argv(self.command, self.selection, junit)
        record = self.agent._run(name, argv, self.tree, self.logs, self.deadline)
        try:
            return record, read_cases([junit])
        except InputError:
            return record, []


def _limit(record: ProcessRecord) -> str:
    return "timed out" if record.timed_out else "stalled"


def _how(found: dict[str, str]) -> str:
    """`failed: e2e/test_x.py::t; missing (never ran): e2e/test_x.py::u`, by outcome."""
    by: dict[str, list[str]] = {}
    for test, outcome in found.items():
        by.setdefault(outcome, []).append(test)
    parts = []
    for outcome, ids in sorted(by.items()):
        label = "missing (never ran)" if outcome == "missing" else outcome
        parts.append(
            f"{label}: {', '.join(ids[:3])}" + (f" and {len(ids) - 3} more" if len(ids) > 3 else "")
        )
    return "; ".join(parts)


@dataclass(slots=True)
class Change:
    site: Site
    after: str
    tests: list[str]
    around: Site | None = None  # the locator expression the edited bytes stand in

    def edit(self) -> Edit:
        """The edit as a reviewer reads it: the whole locator expression before and after."""
        site, around = self.site, self.around
        before, after = site.text, self.after
        if around is not None and around.start <= site.start and site.end <= around.end:
            data = around.text.encode()
            head, tail = site.start - around.start, site.end - around.start
            before, after = around.text, (data[:head] + after.encode() + data[tail:]).decode()
        return Edit(
            file=site.file,
            line=site.first_line,
            before=before,
            after=after,
            tests=self.tests,
        )


def plan(fix_input: FixInput, tree: Path, heals: list[HealRecord]) -> list[Change]:
    """Heal each failing locator against its snapshot and find every place the failing test
    builds it; edit a place only when every failing test that uses it agrees on the edit."""
    policy = fix_input.constraints.guardrails
    wanted: dict[tuple[str, str, str, str], Heal] = {}
    chosen: dict[Site, set[tuple[tuple[Site, str], ...]]] = {}
    tests: dict[Site, list[str]] = {}
    failed: set[Site] = set()
    for target in fix_input.targets:
        html = fix_input.snapshots.get(target.snapshot, "")
        record = HealRecord(
            test_ids=[target.test_id],
            file=target.file,
            line=target.line,
            locator=target.locator,
            action=target.action,
            outcome="abstain_no_snapshot",
            reason="no DOM snapshot of the failure",
        )
        heals.append(record)
        if not html:
            continue
        baseline = _baseline(fix_input, target)
        healed_here = _heal(target, html, baseline, wanted, record)
        if healed_here is None:
            continue
        heal, steps = healed_here
        record.outcome, record.reason = heal.outcome, heal.reason
        record.replacement, record.score, record.margin = heal.replacement, heal.score, heal.margin
        record.candidates = heal.candidates
        base = steps[: len(steps) - len(narrowing_tail(steps))]
        found = locate(tree, target.file, target.line, base, policy)
        if not found:
            record.outcome = "abstain_source_not_found"
            # what the healer said stays in view: the heal was found, its place in the code not
            said = (
                f"the healer's answer: {heal.replacement} ({heal.reason}); but "
                if heal.outcome == "healed"
                else ""
            )
            record.reason = (
                f"{said}{render(base)} is not built where the fix agent can follow it: in one "
                "expression or through the failing test's variables, or in one allowed "
                "page-object file (a selector passed to page.click/fill, or a chain built "
                "across page-object constructors, is not followed yet)"
            )
            continue
        for use in found:
            tests.setdefault(use.site, []).append(target.test_id)
            if heal.outcome != "healed":
                failed.add(use.site)
                continue
            healed = parse(heal.replacement)
            kept = len(steps) - len(base)  # the trailing filter/nth, unchanged
            try:
                source = (tree / use.file).read_bytes()
                edit = edits(use, source, base, healed[: len(healed) - kept])
            except LocatorError as exc:
                record.outcome, record.reason = "abstain_source_not_found", str(exc)
                failed.add(use.site)
                continue
            chosen.setdefault(use.site, set()).add(tuple(edit))
    merged: dict[Site, Change] = {}
    clashing: set[Site] = set()
    for site, options in sorted(chosen.items(), key=lambda kv: (kv[0].file, kv[0].start)):
        if site in failed or len(options) != 1:
            _disagree(heals, tests[site])
            continue
        for where, after in options.pop():
            change = merged.setdefault(where, Change(where, after, [], site))
            clashing |= {where} if change.after != after else set()
            change.tests = sorted({*change.tests, *tests[site]})
    for where in clashing:
        _disagree(heals, merged.pop(where).tests)
    return list(merged.values())


def _baseline(fix_input: FixInput, target: InputTarget) -> str:
    """The first of the test's pages in the last passing run on which its locator named
    something: the page it acted on then ("" when there is none)."""
    try:
        steps = parse(target.locator)
        for digest in target.baselines:
            html = fix_input.snapshots.get(digest, "")
            if html.strip() and resolve(document(html), steps):
                return html
    except (LocatorError, InputError):
        return ""
    return ""


def _heal(
    target: InputTarget,
    html: str,
    baseline: str,
    cache: dict[tuple[str, str, str, str], Heal],
    record: HealRecord,
) -> tuple[Heal, list[Step]] | None:
    """The heal of one target (one per locator, action and pages), or None with the record
    saying why it could not be read."""
    key = (
        target.locator,
        target.action,
        target.snapshot,
        hashlib.sha256(baseline.encode()).hexdigest(),
    )
    try:
        if key not in cache:
            cache[key] = heal_locator(target.locator, target.action, html, baseline)
        return cache[key], parse(target.locator)
    except (LocatorError, InputError) as exc:
        record.outcome, record.reason = "abstain_unreadable", str(exc)
    except Exception as exc:  # one page the healer cannot read ends one heal, not the run
        record.outcome = "abstain_unreadable"
        record.reason = f"the healer failed on this page: {type(exc).__name__}: {exc}"
    return None


def _disagree(heals: list[HealRecord], tests: list[str]) -> None:
    for record in heals:
        if set(record.test_ids) & set(tests) and record.outcome == "healed":
            record.outcome = "abstain_disagreement"
            record.reason = "the failing tests using this locator disagree on its heal"


class _Meta:
    """The metadata as it is gathered, and its final form."""

    def __init__(self, fix_input: FixInput, input_sha: str, fix_class: str, proposal: bool) -> None:
        self.input, self.input_sha, self.fix_class = fix_input, input_sha, fix_class
        self.proposal = proposal
        self.heals: list[HealRecord] = []
        self.changes: list[Change] = []
        self.guardrails = GuardrailReport(decision="not_run", fix_class=fix_class)
        self.validation = Validation(status="not_run", reason="no patch to validate")

    def tests(self) -> list[str]:
        if self.proposal:
            return list(self.input.failing_tests)
        return sorted({t for c in self.changes for t in c.tests})

    def finish(self, outcome: Outcome, reason: str, diff: str = "") -> FixMetadata:
        run_id = self.input.run_id
        edits = [c.edit() for c in self.changes] if diff else []
        strategy = "proposed_patch" if self.proposal else self.input.constraints.strategy.value
        risk = "backend" if self.fix_class == "backend" else "test-only"
        title = (
            f"Heal {len(edits)} locator(s) broken by a UI change"
            if edits
            else f"Apply the proposed {self.fix_class} fix"
        )
        meta = FixMetadata(
            run_id=run_id,
            base_sha=self.input.base_sha,
            input_sha256=self.input_sha,
            patch_sha256=hashlib.sha256(diff.encode()).hexdigest(),
            patch_file=f"patch-{run_id}.diff",
            outcome=outcome,
            needs_manual_review=outcome == "needs_manual_review",
            reason=reason,
            strategy=strategy,
            fix_class=self.fix_class,
            risk_class=risk,
            heals=merged(self.heals),
            edits=edits,
            guardrails=self.guardrails,
            validation=self.validation,
            branch=f"agent-engine/fix/{run_id}",
            commit_message="",
            pr_title=f"[agent-engine] {title} (run {run_id})",
            pr_body="",
        )
        return meta.model_copy(
            update={"commit_message": commit_message(meta, title), "pr_body": pr_body(meta)}
        )
