"""The static dashboard for GitHub Pages.
agent-engine dashboard build [--out site] [--history data.json|URL] [--runs-url URL]

Merges this run (its analysis, self-heal decision and report, fix metadata and patch, JUnit
reports) into the history (the previous site's data.json, and/or the Developer-Agent's GET
/runs), keeps the latest --retention runs, and renders index.html, runs/<run_key>.html and
data.json into --out. Run information comes from GITHUB_* or the flags."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TypeVar

import httpx
from pydantic import BaseModel, ValidationError

from agent_engine.cli.boundary import guarded
from agent_engine.cli.common import command_parser
from agent_engine.contracts import Analysis, RunList
from agent_engine.delivery.shipper import run_info
from agent_engine.errors import InputError
from agent_engine.fix.report import FixMetadata
from agent_engine.heal.policy import Decision
from agent_engine.heal.selfheal import Report
from agent_engine.report.dashboard import artifacts, build, counts, record, reproduction
from agent_engine.report.history import (
    DEFAULT_RETENTION,
    DashboardData,
    RunRecord,
    from_summary,
    merge,
)
from agent_engine.settings import load_settings
from agent_engine.triage.junit import read_cases

M = TypeVar("M", bound=BaseModel)


def current_record(args: argparse.Namespace) -> RunRecord:
    """This run's record, from the artifacts the earlier jobs left (any may be missing)."""
    settings = load_settings(args.config)
    run = run_info(
        os.environ, {"repository": args.repository, "run_id": args.run_id, "job": args.job}
    )
    cases = read_cases(args.junit or ([settings.e2e.junit] if settings.e2e else []))
    analysis = optional(args.analysis, Analysis)
    decision = optional(args.self_heal_dir / "decision.json", Decision)
    report = optional(one(args.self_heal_dir, "report", run.run_id, ".json"), Report)
    meta = optional(one(args.fix_dir, "metadata", run.run_id, ".json"), FixMetadata)
    patch = args.fix_dir / meta.patch_file if meta else None
    failed = [t.id for t in analysis.classification.failed_tests] if analysis else []
    e2e, app = settings.e2e, settings.app
    return record(
        run,
        args.created_at or datetime.now(UTC).isoformat(timespec="seconds"),
        counts(cases),
        analysis,
        decision,
        report,
        (meta, patch.read_text(encoding="utf-8") if patch and patch.exists() else "")
        if meta
        else None,
        artifacts(cases),
        reproduction(e2e.run_subset if e2e else None, failed, app.base_url if app else ""),
    )


def cmd_build(args: argparse.Namespace) -> int:
    history = load_history(args.history) + service_runs(args.runs_url, args.repository)
    current = current_record(args)
    data = DashboardData(retention=args.retention, runs=merge(history, [current], args.retention))
    out = build(data, args.out)
    print(
        f"dashboard: run {current.run_key} ({current.outcome}"
        f"{', ' + current.error_type if current.error_type else ''}) merged into "
        f"{len(data.runs)} run(s) -> {out / 'index.html'}, {out / 'runs'}/, {out / 'data.json'}"
    )
    return 0


def load_history(source: str | None) -> list[RunRecord]:
    """The previous site's data.json, from a file or a URL; none on the first build."""
    if not source:
        return []
    if source.startswith(("http://", "https://")):
        try:
            answer = httpx.get(source, timeout=30, follow_redirects=True)
        except httpx.HTTPError as exc:
            print(f"dashboard: no history from {source} ({exc.__class__.__name__}); starting empty")
            return []
        if answer.status_code == 404:
            print(f"dashboard: no history at {source} yet; starting empty")
            return []
        answer.raise_for_status()
        text = answer.text
    else:
        path = Path(source)
        if not path.exists():
            print(f"dashboard: no history at {path} yet; starting empty")
            return []
        text = path.read_text(encoding="utf-8")
    try:
        return DashboardData.model_validate_json(text).runs
    except ValidationError as exc:
        raise InputError(
            f"{source}: not an Agent Engine data.json: {exc.errors()[0]['msg']}"
        ) from exc


def service_runs(url: str | None, repository: str | None) -> list[RunRecord]:
    """Runs the Developer-Agent knows (GET /runs), as records without their details."""
    if not url:
        return []
    token = os.environ.get("DEVELOPER_AGENT_TOKEN") or os.environ.get("AGENT_TOKEN", "")
    params = {"repository": repository or os.environ.get("GITHUB_REPOSITORY", ""), "limit": "500"}
    answer = httpx.get(
        f"{url.rstrip('/')}/runs",
        params=params,
        headers={"Authorization": f"Bearer {token}"},
        timeout=30,
    )
    answer.raise_for_status()
    return [from_summary(r) for r in RunList.model_validate_json(answer.content).runs]


def one(folder: Path, prefix: str, run_id: str, suffix: str) -> Path:
    """`<prefix>-<run_id><suffix>`, else the only `<prefix>-*<suffix>` in the folder."""
    exact = folder / f"{prefix}-{run_id}{suffix}"
    found = sorted(folder.glob(f"{prefix}-*{suffix}")) if folder.is_dir() else []
    return exact if exact.exists() or len(found) != 1 else found[0]


def optional(path: Path, model: type[M]) -> M | None:
    if not path.exists():
        return None
    try:
        return model.model_validate_json(path.read_text(encoding="utf-8"))
    except ValidationError as exc:
        raise InputError(f"{path}: not a valid {model.__name__}: {exc.errors()[0]['msg']}") from exc


COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {"build": cmd_build}


def add_run_arguments(parser: argparse.ArgumentParser) -> None:
    """Where this run's artifacts are, and who the run is (else from GITHUB_*)."""
    parser.add_argument("--config", type=Path, default=None, help="agent-engine.toml")
    parser.add_argument("--analysis", type=Path, default=Path("agent-analysis/analysis.json"))
    parser.add_argument("--self-heal-dir", type=Path, default=Path("self-heal"))
    parser.add_argument("--fix-dir", type=Path, default=Path("fix-agent"))
    parser.add_argument("--junit", action="append", type=Path, default=[])
    parser.add_argument("--created-at", default=None, help="ISO time of the run (default: now)")
    parser.add_argument("--repository", default=None)
    parser.add_argument("--run-id", default=None)
    parser.add_argument("--job", default=None)


def main(argv: Sequence[str] | None = None) -> int:
    parser = command_parser("agent-engine dashboard", __doc__, COMMANDS)
    parser.add_argument("--out", type=Path, default=Path("site"))
    parser.add_argument("--history", default=None, help="the previous data.json (file or URL)")
    parser.add_argument("--runs-url", default=None, help="the Developer-Agent, for GET /runs")
    parser.add_argument("--retention", type=int, default=DEFAULT_RETENTION)
    add_run_arguments(parser)
    args = parser.parse_args(argv)
    if args.retention < 1:
        parser.error("--retention must be at least 1")
    return guarded(lambda: COMMANDS[args.command](args))


if __name__ == "__main__":
    sys.exit(main())
