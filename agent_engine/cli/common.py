"""What the pipeline's command-line stages share: finding the run's analysis, reading inputs,
and writing GitHub Actions step outputs and job summaries."""

from __future__ import annotations

import argparse
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Literal

import httpx

from agent_engine.contracts import Analysis, Outcome, RunInfo
from agent_engine.delivery.shipper import build_batch
from agent_engine.errors import InputError
from agent_engine.settings import Settings
from agent_engine.triage.analysis import classify_batch, local_analysis
from agent_engine.triage.classify import Classifier


def load_analysis(
    args: argparse.Namespace, settings: Settings, classifier: Classifier, job: str
) -> tuple[Analysis, Literal["artifact", "service", "local"]]:
    """The shipper's artifact, else the Cloud-Agent's stored copy, else a local verdict."""
    if args.analysis.exists():
        return Analysis.model_validate_json(args.analysis.read_text(encoding="utf-8")), "artifact"
    url, token, key = (
        os.environ.get("CLOUD_AGENT_URL"),
        os.environ.get("AGENT_TOKEN"),
        args.run_key,
    )
    if url and token and key:
        try:
            answer = httpx.get(
                f"{url.rstrip('/')}/api/ci/runs/{key}",
                timeout=30,
                headers={"Authorization": f"Bearer {token}"},
            )
            if answer.status_code == 200:
                return Analysis.model_validate_json(answer.content), "service"
        except httpx.HTTPError:
            pass  # fall through to the artifacts
    e2e = settings.e2e
    logs = args.log or ([e2e.log] if e2e and e2e.log.exists() else [])
    junit = args.junit or ([e2e.junit] if e2e and e2e.junit.exists() else [])
    if not logs and not junit:
        raise InputError(f"no analysis at {args.analysis} and no logs or JUnit to classify")
    run = RunInfo(repository="local/run", run_id="local", job=job)
    batch = build_batch(run, Outcome.FAILURE, logs, junit, classifier.scanner)
    return local_analysis(batch, classify_batch(classifier, batch)), "local"


def read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror}") from exc


def outputs(**values: str) -> None:
    """Step outputs for the next jobs (GITHUB_OUTPUT), when running in Actions."""
    target = os.environ.get("GITHUB_OUTPUT")
    if target:
        with Path(target).open("a", encoding="utf-8") as handle:
            handle.writelines(f"{k}={v}\n" for k, v in values.items())


def summary(markdown: str) -> None:
    target = os.environ.get("GITHUB_STEP_SUMMARY")
    if target:
        with Path(target).open("a", encoding="utf-8") as handle:
            handle.write(markdown + "\n")


def command_parser(prog: str, doc: str | None, commands: Iterable[str]) -> argparse.ArgumentParser:
    """A stage's command line: its docstring as help, its subcommands as the first argument."""
    parser = argparse.ArgumentParser(
        prog=prog, description=doc, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("command", choices=list(commands))
    return parser


def add_analysis_arguments(parser: argparse.ArgumentParser) -> None:
    """Where the run's analysis comes from: the artifact, the Cloud-Agent, or the logs."""
    parser.add_argument("--config", type=Path, default=None, help="agent-engine.toml")
    parser.add_argument("--analysis", type=Path, default=Path("agent-analysis/analysis.json"))
    parser.add_argument(
        "--run-key", default=None, help="to fetch the analysis from the Cloud-Agent"
    )
    parser.add_argument("--junit", action="append", type=Path, default=[])
    parser.add_argument("--log", action="append", type=Path, default=[])
