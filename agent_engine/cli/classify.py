"""Classify local CI logs and JUnit reports: agent-engine classify [options] LOG..."""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from agent_engine.cli.boundary import guarded
from agent_engine.files import write_model
from agent_engine.settings import load_settings
from agent_engine.triage.classify import Classifier, LogSource
from agent_engine.triage.rules import load_rules
from agent_engine.triage.summary import render_text


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="agent-engine classify",
        description="Name the root cause of a failed CI run from its logs, with evidence.",
    )
    p.add_argument("logs", nargs="+", type=Path, metavar="LOG", help="log files to classify")
    p.add_argument(
        "--junit",
        action="append",
        type=Path,
        default=[],
        metavar="FILE",
        help="a JUnit XML report (repeatable)",
    )
    p.add_argument(
        "--format",
        choices=("json", "text"),
        default="text",
        help="json: the Classification document; text: a short summary",
    )
    p.add_argument(
        "--config",
        type=Path,
        default=None,
        help="agent-engine.toml (default: ./agent-engine.toml when present)",
    )
    p.add_argument(
        "--out",
        type=Path,
        default=None,
        help="also write the Classification JSON to this file (atomically)",
    )
    return p


def run(args: argparse.Namespace) -> int:
    started = time.perf_counter()
    settings = load_settings(args.config)
    classifier = Classifier(load_rules(settings.classifier))
    verdict = classifier.classify(
        [LogSource.from_path(p) for p in args.logs],
        [LogSource.from_path(p) for p in args.junit],
    )
    print(verdict.model_dump_json(indent=2) if args.format == "json" else render_text(verdict))
    if args.out is not None:
        write_model(args.out, verdict)
    elapsed = time.perf_counter() - started
    where = f"; wrote {args.out}" if args.out is not None else ""
    print(
        f"classified {len(args.logs) + len(args.junit)} file(s), {verdict.lines_scanned} lines, "
        f"{verdict.bytes_scanned / 1e6:.1f} MB in {elapsed:.2f}s{where}",
        file=sys.stderr,
    )
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    return guarded(lambda: run(args), json_errors=args.format == "json")


if __name__ == "__main__":
    sys.exit(main())
