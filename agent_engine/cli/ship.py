"""Ship CI evidence to the Cloud-Agent, never losing it:
agent-engine ship [--junit FILE]... [--outbox DIR] [--out FILE] [LOG...]
agent-engine flush [--outbox DIR]

Reads CLOUD_AGENT_URL and AGENT_TOKEN, and the run from the GITHUB_* variables (or flags).
Without LOG or --junit it ships what agent-engine.toml names: the suite's log and JUnit
report, the sign-in and smoke logs beside it, the app's log and its prepare log. A folder
given as LOG or --junit stands for the *.log or *.xml files below it (downloaded artifacts).
A batch that cannot be delivered before the deadline waits in the outbox for `flush`; the
analysis is always written (classified locally when the service was not reached)."""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import httpx
from stamina.instrumentation import RetryDetails, set_on_retry_hooks

from agent_engine.cli.actions import annotate
from agent_engine.cli.boundary import guarded
from agent_engine.contracts import Analysis, LogBatch, LogKind, Outcome
from agent_engine.delivery.outbox import Outbox
from agent_engine.delivery.sender import Courier, RefusedError, UndeliverableError
from agent_engine.delivery.shipper import build_batch, gzip_batch, idempotency_key, run_info
from agent_engine.files import write_model
from agent_engine.settings import Settings, load_settings
from agent_engine.triage.analysis import classify_batch, local_analysis
from agent_engine.triage.classify import Classifier
from agent_engine.triage.rules import load_rules
from agent_engine.triage.summary import job_summary

DEFAULT_OUTBOX = Path("agent-outbox")
DEFAULT_OUT = Path("agent-analysis/analysis.json")


def courier(args: argparse.Namespace, http: httpx.Client) -> Courier | None:
    url, token = os.environ.get("CLOUD_AGENT_URL"), os.environ.get("AGENT_TOKEN")
    if not url or not token:
        return None
    return Courier(url, token, http, deadline_s=args.deadline, max_wait_s=args.max_wait)


def configured_logs(settings: Settings) -> dict[Path, LogKind]:
    """Without LOG arguments: every log agent-engine.toml names that exists, with its kind
    (the suite's, the sign-in's and the smoke run's beside it, the app's, and its prepare log
    of migrate and seed)."""
    named: dict[Path, LogKind] = {}
    if settings.e2e:
        folder = settings.e2e.log.parent
        for path in (settings.e2e.log, folder / "auth.log", folder / "smoke.log"):
            named[path] = LogKind.TEST_OUTPUT
    if settings.app:
        named |= {settings.app.log: LogKind.BACKEND, settings.app.prepare_log: LogKind.INSTALL}
    return {path: kind for path, kind in named.items() if path.is_file()}


def configured_junit(settings: Settings) -> list[Path]:
    junit = settings.e2e.junit if settings.e2e else None
    return [junit] if junit and junit.is_file() else []


def expanded(paths: Sequence[Path], pattern: str) -> list[Path]:
    """A folder stands for the files in it that match `pattern` (downloaded artifacts)."""
    found: list[Path] = []
    for path in paths:
        found += sorted(p for p in path.rglob(pattern) if p.is_file()) if path.is_dir() else [path]
    return found


def classified_locally(classifier: Classifier, batch: LogBatch) -> Analysis:
    return local_analysis(batch, classify_batch(classifier, batch))


def cmd_ship(args: argparse.Namespace) -> int:
    settings = load_settings(args.config)
    classifier = Classifier(load_rules(settings.classifier))
    overrides = {
        "repository": args.repository,
        "run_id": args.run_id,
        "job": args.job,
        "run_attempt": args.run_attempt,
        "sha": args.sha,
        "ref": args.ref,
        "base_ref": args.base_ref,
        "pr_number": args.pr_number,
    }
    run = run_info(os.environ, overrides)
    kinds = configured_logs(settings) if not args.logs else {}
    logs = (expanded(args.logs, "*.log") or list(kinds)) + [p for p in args.also if p.is_file()]
    junit = expanded(args.junit, "*.xml") or configured_junit(settings)
    batch = build_batch(run, Outcome(args.outcome), logs, junit, classifier.scanner, kinds=kinds)
    body, key = gzip_batch(batch), idempotency_key(run)
    print(
        f"ship: {len(batch.logs)} file(s), {len(batch.tests)} test result(s), "
        f"{len(body) / 1000:.0f} KB gzipped, Idempotency-Key {key}",
        flush=True,
    )
    with httpx.Client() as http:
        sender = courier(args, http)
        if sender is None:
            where = "not shipped: CLOUD_AGENT_URL or AGENT_TOKEN is not set; classified locally"
            return finish(args, classified_locally(classifier, batch), where, 0)
        try:
            analysis = sender.send(key, body)
        except UndeliverableError as exc:
            entry = Outbox(args.outbox).put(key, body)
            where = f"queued in {entry.body} ({exc.message}); classified locally"
            annotate("warning", f"CI logs queued for a later flush: {exc.message}")
            return finish(
                args, classified_locally(classifier, batch), where, 1 if args.strict else 0
            )
        except RefusedError as exc:
            annotate("error", exc.message)
            return finish(args, classified_locally(classifier, batch), f"refused: {exc.message}", 1)
    where = f"stored as run {analysis.run_key} after {sender.attempts} attempt(s)"
    return finish(args, analysis, where, 0)


def finish(args: argparse.Namespace, analysis: Analysis, where: str, code: int) -> int:
    write_model(args.out, analysis)
    verdict = analysis.classification
    said = (
        "the run passed: no verdict"
        if args.outcome == Outcome.SUCCESS.value
        else f"{verdict.error_type.value} ({verdict.confidence:.2f})"
    )
    print(f"ship: {where}\nship: {said}; analysis written to {args.out}")
    summary = os.environ.get("GITHUB_STEP_SUMMARY")
    if summary:
        with Path(summary).open("a", encoding="utf-8") as handle:
            handle.write(job_summary(analysis, where))
    return code


def cmd_flush(args: argparse.Namespace) -> int:
    outbox = Outbox(args.outbox)
    entries = outbox.entries()
    started = time.monotonic()
    done = queued = refused = 0
    with httpx.Client() as http:
        sender = courier(args, http)
        if sender is None:
            print(f"flush: CLOUD_AGENT_URL or AGENT_TOKEN is not set; {len(entries)} kept")
            return 0
        for entry in entries:
            with outbox.claim(entry) as mine:
                if not mine:
                    continue  # another flush has it
                try:
                    analysis = sender.send(entry.key, entry.read())
                except UndeliverableError as exc:
                    queued += 1
                    print(f"flush: {entry.key}: still undeliverable ({exc.message})")
                    continue
                except RefusedError as exc:
                    refused += 1
                    print(
                        f"flush: {entry.key}: refused, moved to {outbox.park(entry, exc.message)}"
                    )
                    continue
                outbox.remove(entry)
                done += 1
                print(
                    f"flush: {entry.key}: stored as run {analysis.run_key}"
                    f"{' (duplicate)' if analysis.duplicate else ''}"
                )
    print(
        f"flush: {done} delivered, {queued} still queued, {refused} refused, "
        f"in {time.monotonic() - started:.1f}s ({args.outbox})"
    )
    if queued:
        annotate("warning", f"{queued} CI log batch(es) still queued in {args.outbox}")
    return 0


COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {"ship": cmd_ship, "flush": cmd_flush}


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="agent-engine",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = p.add_subparsers(dest="command", required=True)
    for name in COMMANDS:
        command = sub.add_parser(name)
        command.add_argument(
            "--outbox",
            type=Path,
            default=DEFAULT_OUTBOX,
            help=f"where undelivered batches wait (default: {DEFAULT_OUTBOX})",
        )
        command.add_argument(
            "--deadline",
            type=float,
            default=120.0,
            help="seconds to keep retrying one batch (default: 120)",
        )
        command.add_argument(
            "--max-wait",
            type=float,
            default=30.0,
            help="longest pause between two tries, Retry-After included",
        )
    ship = sub.choices["ship"]
    ship.add_argument("logs", nargs="*", type=Path, metavar="LOG")
    ship.add_argument("--junit", action="append", type=Path, default=[], metavar="FILE")
    ship.add_argument(
        "--also",
        action="append",
        type=Path,
        default=[],
        metavar="FILE",
        help="a log shipped besides the ones agent-engine.toml names (a runner's own log)",
    )
    ship.add_argument(
        "--out",
        type=Path,
        default=DEFAULT_OUT,
        help=f"the analysis document (default: {DEFAULT_OUT})",
    )
    ship.add_argument(
        "--strict", action="store_true", help="exit 1 when the batch had to be queued"
    )
    ship.add_argument("--outcome", choices=[o.value for o in Outcome], default="failure")
    ship.add_argument("--config", type=Path, default=None, help="agent-engine.toml")
    for flag in ("repository", "run-id", "job", "sha", "ref", "base-ref"):
        ship.add_argument(f"--{flag}", default=None, help="overrides the GITHUB_* value")
    ship.add_argument("--run-attempt", type=int, default=None)
    ship.add_argument("--pr-number", type=int, default=None)
    return p


def show_retry(details: RetryDetails) -> None:
    """Progress while retrying: why, which try, and how long until the next."""
    print(
        f"retry {details.retry_num} in {details.wait_for:.1f}s after {details.caused_by} "
        f"({details.waited_so_far:.1f}s waited so far)",
        file=sys.stderr,
        flush=True,
    )


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    set_on_retry_hooks([show_retry])
    return guarded(lambda: COMMANDS[args.command](args))


if __name__ == "__main__":
    sys.exit(main())
