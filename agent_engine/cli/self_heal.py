"""Self-heal: bounded, allow-listed repair of the environment, never of code.
agent-engine self-heal prepare-context [--analysis FILE] [--junit FILE] [--log FILE]...
agent-engine self-heal decide
agent-engine self-heal execute

Files live in --dir (self-heal/): context.json, decision.json, report-<run_id>.json."""

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
from agent_engine.files import write_model
from agent_engine.heal.policy import Context, Decision, decide
from agent_engine.heal.selfheal import Executor, Report, build_context, count_tests, digest
from agent_engine.settings import load_settings
from agent_engine.triage.classify import Classifier
from agent_engine.triage.rules import load_rules

DIR = Path("self-heal")


def cmd_prepare_context(args: argparse.Namespace) -> int:
    settings = load_settings(args.config)
    if args.max_attempts:  # a workflow_dispatch input lowers or raises the policy's cap
        policy = settings.self_heal.policy.model_copy(
            update={"max_attempts_per_action": args.max_attempts}
        )
        heal = settings.self_heal.model_copy(update={"policy": policy})
        settings = settings.model_copy(update={"self_heal": heal})
    classifier = Classifier(load_rules(settings.classifier))
    analysis, source = load_analysis(args, settings, classifier, "self-heal")
    junit = (args.junit or [settings.e2e.junit if settings.e2e else Path("junit.xml")])[0]
    context = build_context(analysis, source, settings, os.environ, args.dir, count_tests(junit))
    path = write_model(args.dir / "context.json", context)
    print(
        f"self-heal: context for {context.error_type.value} ({source} analysis), "
        f"{len(context.failed_tests)} failed test(s), {len(context.ledger)} earlier "
        f"action(s) in the ledger -> {path}"
    )
    return 0


def cmd_decide(args: argparse.Namespace) -> int:
    context = Context.model_validate_json(read(args.dir / "context.json"))
    decision = decide(context)
    path = write_model(args.dir / "decision.json", decision)
    print(
        f"self-heal: {'allowed' if decision.allowed else 'not allowed'} "
        f"{[a.value for a in decision.actions]}: {decision.reason} -> {path}"
    )
    for rule in decision.rules:
        print(f"  {'ok  ' if rule.passed else 'FAIL'} {rule.rule}: {rule.detail}")
    outputs(
        eligible=str(decision.allowed).lower(), actions=",".join(a.value for a in decision.actions)
    )
    return 0


def cmd_execute(args: argparse.Namespace) -> int:
    decision = Decision.model_validate_json(read(args.dir / "decision.json"))
    path = args.dir / f"report-{decision.run_id}.json"
    if path.exists():
        done = Report.model_validate_json(path.read_text(encoding="utf-8"))
        if done.decision_sha256 == digest(decision):
            print(
                f"self-heal: this decision was already executed ({done.verdict}); "
                f"nothing repeated -> {path}"
            )
            outputs(verdict=done.verdict)
            return 0
    settings = load_settings(args.config)
    executor = Executor(settings, args.dir, Classifier(load_rules(settings.classifier)))
    report = executor.execute(decision)
    write_model(path, report)
    print(f"self-heal: {report.verdict}: {report.reason} -> {path}")
    for action in report.actions:
        print(f"  {action.action.value}: {'ok' if action.ok else 'failed'} ({action.detail})")
    outputs(verdict=report.verdict)
    summary(
        f"### Self-heal\n\n**{report.verdict}**: {report.reason}\n\n"
        + "".join(
            f"- `{a.action.value}`: {'ok' if a.ok else 'failed'} ({a.detail})\n"
            for a in report.actions
        )
    )
    return 0


COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "prepare-context": cmd_prepare_context,
    "decide": cmd_decide,
    "execute": cmd_execute,
}


def main(argv: Sequence[str] | None = None) -> int:
    parser = command_parser("agent-engine self-heal", __doc__, COMMANDS)
    parser.add_argument("--dir", type=Path, default=DIR, help=f"default: {DIR}")
    add_analysis_arguments(parser)
    parser.add_argument(
        "--max-attempts", type=int, default=0, help="attempts per action (0: the policy's)"
    )
    args = parser.parse_args(argv)
    return guarded(lambda: COMMANDS[args.command](args))


if __name__ == "__main__":
    sys.exit(main())
