"""R5: hostile patches made for real against a small repository and sent through
`python -m tools.fix_agent apply-and-validate --patch FILE`; a table per kind of how each
ended (refused with its rule, failed validation, validated). None may end validated."""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import shutil
import sys
import tempfile
import time
import tomllib
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from agent_engine.cli import fix as fix_cli
from agent_engine.files import write_model
from agent_engine.fix.agent import Constraints, FixInput, InputTarget
from agent_engine.fix.worktree import git
from agent_engine.settings import load_settings
from agent_engine.taxonomy import ErrorType, FixStrategy

HOSTILE = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "hostile"
HONEST_FIX = {
    "edit": "tests/e2e/test_board.py",
    "old": 'locator("#add-card")',
    "new": 'locator("#new-card")',
}
CONFIG = """
[e2e]
run = ["{python}", "-m", "pytest", "-c", "pytest.ini"]
run_subset = ["{python}", "-m", "pytest", "-c", "pytest.ini", "{tests}"]
junit = "out/junit.xml"
log = "out/e2e.log"
output = "out/test-results"

[fix_agent]
validation_runs = 1
validation_budget_s = 180
validation_command = ["{python}", "-m", "pytest", "-c", "pytest.ini", "-q", "{tests}"]
"""


@dataclass(frozen=True, slots=True)
class Case:
    name: str
    kind: str
    spec: dict[str, Any]

    @property
    def wanted(self) -> str:
        """The rule that must refuse it, or the outcome it must end with."""
        return str(self.spec.get("expect") or self.spec.get("outcome"))

    @property
    def hostile(self) -> bool:
        return self.kind != "control"


@dataclass(slots=True)
class Result:
    case: Case
    outcome: str
    rules: list[str]
    worktree_clean: bool
    validation_runs: int
    checkout_clean: bool
    seconds: float
    output: str = ""
    notes: list[str] = field(default_factory=list)

    @property
    def held(self) -> bool:
        """Whether the guardrails and validation did what the case says."""
        if not (self.worktree_clean and self.checkout_clean):
            return False
        if not self.case.hostile:
            return self.outcome == "validated"
        if self.case.spec.get("outcome") == "failed":
            return self.outcome == "needs_manual_review"
        return self.outcome == "refused" and self.case.wanted in self.rules


def load_cases() -> list[Case]:
    data = tomllib.loads((HOSTILE / "cases.toml").read_text(encoding="utf-8"))
    return [Case(c["name"], c["kind"], c) for c in data["case"]]


def make_repo(root: Path) -> Path:
    """The repository of tests/fixtures/hostile/repo.toml, committed."""
    data = tomllib.loads((HOSTILE / "repo.toml").read_text(encoding="utf-8"))
    for path, text in data["files"].items():
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_text(text, encoding="utf-8")
    for path, hexed in data["binary"].items():
        (root / path).write_bytes(bytes.fromhex(hexed))
    git(["init", "-q", "-b", "main"], root)
    git(["add", "-A"], root)
    git(["-c", "user.name=r5", "-c", "user.email=r5@example.com", "commit", "-qm", "board"], root)
    return root


def _apply(op: dict[str, Any], root: Path) -> None:
    if "edit" in op:
        target = root / op["edit"]
        text = target.read_text(encoding="utf-8")
        if op["old"] not in text:
            raise ValueError(f"{op['edit']}: {op['old']!r} is not there")
        target.write_text(text.replace(op["old"], op["new"], 1), encoding="utf-8")
    elif "write" in op or "bytes" in op:
        target = root / (op.get("write") or op["bytes"])
        target.parent.mkdir(parents=True, exist_ok=True)
        if "write" in op:
            target.write_text(op["text"], encoding="utf-8")
        else:
            target.write_bytes(bytes.fromhex(op["hex"]))
    elif "symlink" in op:
        (root / op["symlink"]).unlink(missing_ok=True)
        (root / op["symlink"]).symlink_to(op["to"])
    elif "chmod" in op:
        (root / op["chmod"]).chmod(op["mode"])
    else:
        git(op["git"], root)


def make_patch(repo: Path, scratch: Path, case: Case) -> str:
    """The case's patch, made as a contributor would: edit a clone, `git diff`."""
    if "patch" in case.spec:
        return str(case.spec["patch"])
    shutil.rmtree(scratch, ignore_errors=True)
    git(["clone", "-q", str(repo), str(scratch)], repo.parent)
    ops = ([HONEST_FIX] if case.spec.get("fix") else []) + case.spec["ops"]
    for op in ops:
        _apply(op, scratch)
    git(["add", "-A"], scratch)
    return git(["diff", "--cached", "--binary", "-M", "--full-index"], scratch)


def write_input(repo: Path, folder: Path, case: Case, config: Path, index: int) -> None:
    data = tomllib.loads((HOSTILE / "repo.toml").read_text(encoding="utf-8"))
    html = (repo / "board" / "index.html").read_text(encoding="utf-8")
    digest = hashlib.sha256(html.encode()).hexdigest()
    targets = [
        InputTarget(snapshot=digest, **data["targets"][name])
        for name in case.spec.get("targets", ["add_card"])
    ]
    fix = load_settings(config).fix_agent
    write_model(
        folder / "input.json",
        FixInput(
            run_id=f"r5-{index}",
            base_sha=git(["rev-parse", "HEAD"], repo).strip(),
            error_type=ErrorType.LOCATOR_NOT_FOUND,
            signature="locator_not_found:0123456789abcdef",
            applicable=True,
            reason=f"{len(targets)} failing locator(s)",
            failing_tests=[t.test_id for t in targets],
            evidence=[],
            targets=targets,
            snapshots={digest: html},
            constraints=Constraints(
                strategy=FixStrategy.HEAL_LOCATOR,
                guardrails=fix.guardrails,
                validation_runs=fix.validation_runs,
                validation_budget_s=fix.validation_budget_s,
            ),
        ),
    )


def run_case(repo: Path, work: Path, case: Case, index: int) -> Result:
    """One patch through the fix agent's command line, in this process."""
    folder = work / f"case-{index}"
    folder.mkdir(parents=True)
    config = work / "agent-engine.toml"
    if not config.exists():
        config.write_text(CONFIG, encoding="utf-8")
    write_input(repo, folder, case, config, index)
    patch = folder / "proposal.diff"
    patch.write_text(make_patch(repo, work / "scratch", case), encoding="utf-8")
    argv = ["--dir", str(folder), "--config", str(config), "apply-and-validate"]
    argv += ["--patch", str(patch), "--fix-class", case.spec.get("fix_class", "locator")]
    started = time.monotonic()
    printed = io.StringIO()
    with contextlib.chdir(repo), contextlib.redirect_stdout(printed):
        code = fix_cli.main(argv)
    seconds = time.monotonic() - started
    meta = json.loads((folder / f"metadata-r5-{index}.json").read_text(encoding="utf-8"))
    worktrees = git(["worktree", "list", "--porcelain"], repo).count("worktree ")
    return Result(
        case=case,
        outcome=meta["outcome"] if code == 0 else f"exit {code}",
        rules=[v["rule"] for v in meta["guardrails"]["violations"]],
        worktree_clean=meta["guardrails"]["worktree_clean"],
        validation_runs=len(meta["validation"]["runs"]) + bool(meta["validation"]["baseline"]),
        checkout_clean=git(["status", "--porcelain"], repo) == "" and worktrees == 1,
        seconds=seconds,
        output=printed.getvalue(),
    )


def run_all(cases: list[Case], on_result: Callable[[Result], None] | None = None) -> list[Result]:
    with tempfile.TemporaryDirectory(prefix="agent-engine-r5-") as temp:
        repo = make_repo(Path(temp) / "repo")
        results = []
        for index, case in enumerate(cases, 1):
            result = run_case(repo, Path(temp) / "work", case, index)
            results.append(result)
            if on_result:
                on_result(result)
        return results


def table(results: list[Result]) -> str:
    rows: defaultdict[str, Counter[str]] = defaultdict(Counter)
    for r in results:
        ended = {
            "refused": "refused",
            "needs_manual_review": "failed validation",
            "validated": "validated",
        }.get(r.outcome, r.outcome)
        rows[r.case.kind][ended] += 1
        rows[r.case.kind]["count"] += 1
    lines = [
        f"{'kind':<22} {'count':>5} {'refused':>8} {'failed validation':>18} {'validated':>10}"
    ]
    for kind in sorted(rows, key=lambda k: (k == "control", k)):
        row = rows[kind]
        lines.append(
            f"{kind:<22} {row['count']:>5} {row['refused']:>8} "
            f"{row['failed validation']:>18} {row['validated']:>10}"
        )
    return "\n".join(lines)


def main() -> int:
    cases = load_cases()
    hostile = sum(c.hostile for c in cases)
    print(
        f"R5: {hostile} hostile patches and {len(cases) - hostile} honest ones through "
        "python -m tools.fix_agent apply-and-validate --patch FILE",
        flush=True,
    )

    def progress(result: Result) -> None:
        mark = "ok " if result.held else "BAD"
        shown = ", ".join(dict.fromkeys(result.rules)) or "-"
        print(
            f"  {mark} {result.case.kind:<20} {result.case.name[:46]:<46} "
            f"{result.outcome:<20} {shown[:60]} ({result.seconds:.1f}s)",
            flush=True,
        )

    results = run_all(cases, progress)
    print()
    print(table(results))
    validated = [r for r in results if r.case.hostile and r.outcome == "validated"]
    wrong = [r for r in results if not r.held]
    print(
        f"\nhostile patches validated: {len(validated)} (target 0); "
        f"cases not as expected: {len(wrong)}; worktree clean after each: "
        f"{sum(r.worktree_clean for r in results)}/{len(results)}"
    )
    return 1 if wrong else 0


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    sys.exit(main())
