"""The benchmark runner: one subcommand per benchmark or report."""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence

from bench import (
    accuracy,
    classify,
    dashboard,
    drift,
    first_look,
    fit_heal,
    guardrails,
    heal,
    pipeline,
    redact,
    services,
    train,
)

COMMANDS: dict[str, tuple[str, Callable[[], int]]] = {
    "accuracy": ("A1: classifier accuracy on the labelled corpus", accuracy.main),
    "classify": ("B1: classification throughput and memory against grep", classify.main),
    "services": ("B2: Developer-Agent latency under 8 concurrent clients", services.main),
    "redact": ("R4: redaction of 30 MB of CI log and of hostile text against sed", redact.main),
    "train": ("the learned second opinion: train, cross-validate, write model.json", train.main),
    "first-look": (
        "the wild set's tuned cases as the rules saw them before any was tuned on them",
        first_look.main,
    ),
    "drift": ("A2: heal_locator on the labelled drift suite", drift.main),
    "fit-heal": (
        "the healer's threshold, margin and kind weights fitted on the drift suite",
        fit_heal.main,
    ),
    "heal": ("B5: heal_locator time on a 2,000-element page", heal.main),
    "guardrails": ("R5: hostile patches through the fix agent's command line", guardrails.main),
    "pipeline": ("B4: the agent stages of a failed run against the E2E suite", pipeline.main),
    "dashboard": (
        "B3: dashboard build with 5,000 runs in history against json.dumps",
        dashboard.main,
    ),
}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument(
        "name",
        choices=sorted(COMMANDS),
        help="; ".join(f"{name}: {text}" for name, (text, _) in sorted(COMMANDS.items())),
    )
    args = parser.parse_args(argv)
    return COMMANDS[args.name][1]()
