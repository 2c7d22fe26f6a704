"""What the shipper sends: run information from GitHub's variables, logs redacted and trimmed
to a budget (head, tail and windows around error lines), test results from JUnit XML."""

from __future__ import annotations

import gzip
import io
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from agent_engine.contracts import LogBatch, LogFile, LogKind, Outcome, RunInfo, TestResult
from agent_engine.errors import InputError
from agent_engine.triage.analysis import redact_batch
from agent_engine.triage.junit import parse_junit
from agent_engine.triage.redact import Masks, redact
from agent_engine.triage.scan import Scanner, ScanStats

LOG_BUDGET = 1_000_000  # characters kept per log
HEAD_SHARE, TAIL_SHARE = 0.2, 0.4  # the rest goes to windows around error lines
WINDOW = 8  # lines kept on each side of an error line
MAX_TESTS = 20_000
_PR_REF = re.compile(r"^refs/pull/(\d+)/")


@dataclass(frozen=True, slots=True)
class Trimmed:
    text: str
    truncated: bool
    original_bytes: int


def run_info(environ: Mapping[str, str], overrides: Mapping[str, Any]) -> RunInfo:
    """Run information from the GITHUB_* variables, flags winning over them."""
    server = environ.get("GITHUB_SERVER_URL", "https://github.com")
    values: dict[str, Any] = {
        "repository": environ.get("GITHUB_REPOSITORY", ""),
        "run_id": environ.get("GITHUB_RUN_ID", ""),
        "run_attempt": int(environ.get("GITHUB_RUN_ATTEMPT") or 1),
        "workflow": environ.get("GITHUB_WORKFLOW", ""),
        "job": environ.get("GITHUB_JOB", ""),
        "event": environ.get("GITHUB_EVENT_NAME", ""),
        "sha": environ.get("GITHUB_SHA", ""),
        "ref": environ.get("GITHUB_REF", ""),
        "base_ref": environ.get("GITHUB_BASE_REF", ""),
        "pr_number": pr_number(environ),
        "actor": environ.get("GITHUB_ACTOR", ""),
    }
    values |= {k: v for k, v in overrides.items() if v not in (None, "")}
    # GITHUB_SERVER_URL set but empty (a local run) means there is no run page to link.
    if server and values["repository"] and values["run_id"] and not values.get("url"):
        values["url"] = f"{server}/{values['repository']}/actions/runs/{values['run_id']}"
    try:
        return RunInfo.model_validate(values)
    except ValueError as exc:
        raise InputError(
            f"run information is incomplete or invalid ({exc.__class__.__name__}): set "
            "GITHUB_REPOSITORY, GITHUB_RUN_ID and GITHUB_JOB, or pass --repository, "
            f"--run-id and --job: {exc}"
        ) from exc


def pr_number(environ: Mapping[str, str]) -> int | None:
    """From `refs/pull/N/merge`, or the event payload of a pull_request event."""
    match = _PR_REF.match(environ.get("GITHUB_REF", ""))
    if match:
        return int(match.group(1))
    path = environ.get("GITHUB_EVENT_PATH")
    if path and Path(path).is_file():
        try:
            number = json.loads(Path(path).read_text(encoding="utf-8")).get("number")
        except (ValueError, OSError):
            return None
        return number if isinstance(number, int) and number > 0 else None
    return None


def idempotency_key(run: RunInfo) -> str:
    """Repository, run id, attempt and job: the same run's batch always has the same key."""
    return f"{run.repository}/{run.run_id}/{run.run_attempt}/{run.job}"


def trim(text: str, scanner: Scanner, budget: int = LOG_BUDGET) -> Trimmed:
    """Keep the head, the tail and windows around lines the rules match; mark what went."""
    original = len(text.encode("utf-8", "surrogateescape"))
    if len(text) <= budget:
        return Trimmed(text, False, original)
    lines = text.splitlines()
    keep = _kept_lines(lines, scanner, text, budget)
    out, last = [], 0
    for number in sorted(keep):
        if number > last + 1:
            out.append(f"… [{number - last - 1} lines trimmed: {last + 1}–{number - 1}] …")
        out.append(lines[number - 1])
        last = number
    if last < len(lines):
        out.append(f"… [{len(lines) - last} lines trimmed: {last + 1}–{len(lines)}] …")
    return Trimmed("\n".join(out) + "\n", True, original)


def _kept_lines(lines: list[str], scanner: Scanner, text: str, budget: int) -> set[int]:
    keep: set[int] = set()
    spent, head_budget, tail_budget = 0, budget * HEAD_SHARE, budget * TAIL_SHARE
    for number, line in enumerate(lines, start=1):  # the head
        if spent + len(line) > head_budget:
            break
        keep.add(number)
        spent += len(line) + 1
    tail_spent = 0
    for number in range(len(lines), 0, -1):  # the tail
        if tail_spent + len(lines[number - 1]) > tail_budget:
            break
        keep.add(number)
        tail_spent += len(lines[number - 1]) + 1
    spent += tail_spent
    hits = scanner.scan(io.BytesIO(text.encode("utf-8", "surrogateescape")), ScanStats())
    for hit in hits:  # windows around error lines, in order, while the budget lasts
        window = range(max(1, hit.line - WINDOW), min(len(lines), hit.line + WINDOW) + 1)
        cost = sum(len(lines[n - 1]) + 1 for n in window if n not in keep)
        if spent + cost > budget:
            break
        keep.update(window)
        spent += cost
    return keep


def kind_of(path: Path) -> LogKind:
    name = path.name.lower()
    if any(word in name for word in ("backend", "server", "app.log")):
        return LogKind.BACKEND
    if any(word in name for word in ("install", "pip", "npm", "setup", "prepare")):
        return LogKind.INSTALL
    if any(word in name for word in ("pipeline", "runner")):
        return LogKind.RUNNER
    return LogKind.TEST_OUTPUT


def read_text(path: Path) -> str:
    try:
        return path.read_bytes().decode("utf-8", "replace")
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror}") from exc


def build_batch(  # noqa: PLR0917 - the batch's parts, in the order they are read
    run: RunInfo,
    outcome: Outcome,
    logs: Sequence[Path],
    junit: Sequence[Path],
    scanner: Scanner,
    budget: int = LOG_BUDGET,
    kinds: Mapping[Path, LogKind] | None = None,
) -> LogBatch:
    """The batch for these files: every log redacted, then trimmed to the budget; then every
    other text of the batch (run fields, test ids and messages) redacted too, so nothing secret
    leaves the runner. A value declared with `::add-mask::` in one log is masked in all. A log's
    kind is the one given (the config knows which log is the app's), else read off its name."""
    texts = {path: read_text(path) for path in [*logs, *junit]}
    masks = Masks()
    for text in texts.values():
        masks.learn(text)
    files, tests = [], []
    for path in [*logs, *junit]:
        trimmed = trim(redact(texts[path], masks=masks), scanner, budget)
        is_junit = path in junit
        files.append(
            LogFile(
                name=_name(path),
                kind=LogKind.JUNIT if is_junit else (kinds or {}).get(path) or kind_of(path),
                content=trimmed.text,
                truncated=trimmed.truncated,
                original_bytes=trimmed.original_bytes,
            )
        )
        if is_junit:
            tests += junit_results(path)
    return redact_batch(LogBatch(run=run, outcome=outcome, logs=files, tests=tests[:MAX_TESTS]))


def junit_results(path: Path) -> list[TestResult]:
    """The test results a JUnit report holds (redacted by the batch they go into)."""
    with path.open("rb") as stream:
        return [case.result for case in parse_junit(stream, str(path))]


def _name(path: Path) -> str:
    """A relative, safe name for the log: its last two path parts, tidied."""
    parts = [
        re.sub(r"[^A-Za-z0-9._+-]", "_", p).replace("..", "_").lstrip("._+-")
        for p in path.parts[-2:]
        if p != "/"
    ]
    return "/".join(p for p in parts if p)[:200] or "log"


def gzip_batch(batch: LogBatch) -> bytes:
    return gzip.compress(batch.model_dump_json().encode(), 6)
