"""The fix agent: a patch for a failing E2E run, never pushed.
agent-engine fix prepare-input [--analysis FILE] [--junit FILE]... [--log FILE]...
                               [--baseline FILE]... [--baseline-root DIR]
agent-engine fix apply-and-validate [--patch FILE --fix-class CLASS]

prepare-input writes <dir>/input.json: the failing tests, the error type, evidence with
file:line, each failing locator with its action and DOM snapshot, the constraints in force;
with --baseline (the JUnit report of the last passing run, written with pytest's
--agent-engine-baseline), the pages each test acted on then, which tell the healer which element
a broken locator meant; their paths in it start at --baseline-root (default: here), where that
run's files now are (e.g. its artifact downloaded elsewhere).
apply-and-validate heals the locators on a git worktree of the commit (or applies --patch, a
patch from another source), checks the diff against the guardrails, reruns the affected tests
(the failure must reproduce without the patch and pass K of K runs with it), and writes
<dir>/patch-<run_id>.diff (empty when nothing is safe) and <dir>/metadata-<run_id>.json."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from agent_engine.cli.boundary import guarded
from agent_engine.cli.common import (
    add_analysis_arguments,
    command_parser,
    load_analysis,
    outputs,
    read,
    summary,
)
from agent_engine.errors import ConfigError
from agent_engine.files import write_atomic, write_model
from agent_engine.fix.agent import FixAgent, FixInput, build_input, frozen_differences
from agent_engine.fix.worktree import git
from agent_engine.settings import load_settings
from agent_engine.triage.classify import Classifier
from agent_engine.triage.rules import load_rules

DIR = Path("fix-agent")


def cmd_prepare_input(args: argparse.Namespace) -> int:
    settings = load_settings(args.config)
    classifier = Classifier(load_rules(settings.classifier))
    analysis, source = load_analysis(args, settings, classifier, "fix-agent")
    e2e = settings.e2e
    junit = args.junit or ([e2e.junit] if e2e and e2e.junit.exists() else [])
    root = Path(git(["rev-parse", "--show-toplevel"], Path.cwd()).strip())
    run_id = args.run_id or os.environ.get("GITHUB_RUN_ID") or "local"
    base = git(["rev-parse", "HEAD"], root).strip()
    fix_input = build_input(
        analysis, junit, settings, run_id, base, Path.cwd(), args.baseline, args.baseline_root
    )
    path = write_model(args.dir / "input.json", fix_input)
    with_snapshot = sum(bool(t.snapshot) for t in fix_input.targets)
    with_baseline = sum(bool(t.baselines) for t in fix_input.targets)
    print(
        f"fix-agent: {fix_input.error_type.value} ({source} analysis): "
        f"{'applicable' if fix_input.applicable else 'nothing to fix in code'}; "
        f"{len(fix_input.targets)} locator target(s), {with_snapshot} with a DOM snapshot, "
        f"{with_baseline} with the last passing run's pages -> {path}"
    )
    outputs(applicable=str(fix_input.applicable).lower())
    return 0


def cmd_apply_and_validate(args: argparse.Namespace) -> int:
    settings = load_settings(args.config)
    fix_input = FixInput.model_validate_json(read(args.dir / "input.json"))
    changed = frozen_differences(fix_input, settings)
    if changed:
        raise ConfigError(
            f"the config differs from what prepare-input froze into {args.dir / 'input.json'}: "
            + "; ".join(changed),
            next_step="run `agent-engine fix prepare-input` again with this --config, "
            "then apply-and-validate",
        )
    proposal = read(args.patch) if args.patch else None
    root = Path(git(["rev-parse", "--show-toplevel"], Path.cwd()).strip())
    agent = FixAgent(settings, root, args.dir, Classifier(load_rules(settings.classifier)))
    print(f"fix-agent: working on a worktree of {fix_input.base_sha[:12]} ...", flush=True)
    diff, meta = agent.run(fix_input, proposal, args.fix_class)
    patch = write_atomic(args.dir / meta.patch_file, diff)
    path = write_model(args.dir / f"metadata-{meta.run_id}.json", meta)
    print(f"fix-agent: {meta.outcome}: {meta.reason}")
    for heal in meta.heals:
        change = f" -> {heal.replacement}" if heal.replacement else ""
        print(f"  {heal.outcome}: {heal.locator}{change} ({heal.reason})")
    for rule in meta.guardrails.violations:
        print(f"  refused: {rule.rule}: {rule.observed} (allowed: {rule.threshold})")
    print(f"  patch: {patch} ({len(diff.splitlines())} lines); metadata: {path}")
    outputs(
        outcome=meta.outcome,
        needs_manual_review=str(meta.needs_manual_review).lower(),
        patch=str(patch) if diff else "",
    )
    summary(f"### Fix agent\n\n**{meta.outcome}**: {meta.reason}\n\n{meta.pr_body}")
    return 0


COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "prepare-input": cmd_prepare_input,
    "apply-and-validate": cmd_apply_and_validate,
}


def main(argv: Sequence[str] | None = None) -> int:
    parser = command_parser("agent-engine fix", __doc__, COMMANDS)
    parser.add_argument("--dir", type=Path, default=DIR, help=f"default: {DIR}")
    add_analysis_arguments(parser)
    parser.add_argument("--run-id", default=None, help="default: $GITHUB_RUN_ID, else 'local'")
    parser.add_argument("--patch", type=Path, default=None, help="a patch from another source")
    parser.add_argument(
        "--baseline",
        type=Path,
        action="append",
        default=[],
        help="a JUnit report of the last passing run with its pages (pytest "
        "--agent-engine-baseline); repeatable",
    )
    parser.add_argument(
        "--baseline-root",
        type=Path,
        default=None,
        help="where the last passing run's relative page paths start (default: here)",
    )
    parser.add_argument("--fix-class", default="locator", choices=["locator", "test", "backend"])
    args = parser.parse_args(argv)
    return guarded(lambda: COMMANDS[args.command](args))


if __name__ == "__main__":
    sys.exit(main())
