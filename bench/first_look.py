"""What the rules said about each wild case before any rule was tuned on it.

The calibration of the rules' confidence must not be fitted on the verdicts of rules that were
written from the same excerpts: those are right nearly always. Each case of the wild set's
tuned split is classified here by the code as it stood just before the case entered the
repository (the parent of the commit that added it, checked out in a temporary git worktree),
and the verdicts, with their evidence lines (redacted, as any verdict's), are recorded in
`tests/fixtures/wild/first_look.json` for `bench train`. The never-tuned split is not read.
Needs the git history: run at development time.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

from agent_engine.fix.worktree import git
from bench.corpus import WILD, load_cases

OUT = WILD / "first_look.json"
ROOT = WILD.parents[2]
_CLASSIFY = """
import json, sys
from pathlib import Path
from agent_engine.triage.classify import Classifier, LogSource
from agent_engine.triage.rules import load_rules
classifier = Classifier(load_rules())
try:  # the rules alone, raw, where the code had a model and a calibration
    rules_alone = Classifier(load_rules(), model=None, calibration=None)
except TypeError:
    try:
        rules_alone = Classifier(load_rules(), model=None)
    except TypeError:
        rules_alone = classifier
rows = {}
for folder in sys.argv[1:]:
    case = Path(folder)
    logs = [LogSource.from_path(p) for p in sorted(case.glob("*.log"))]
    reports = [LogSource.from_path(p) for p in sorted(case.glob("*.xml"))]
    verdict = classifier.classify(logs, reports)
    raw = rules_alone.classify(logs, reports)
    rows[folder] = [
        verdict.error_type.value,
        verdict.confidence,
        getattr(verdict, "decided_by", "rules"),
        [[e.text, [c.text for c in e.context]] for e in verdict.evidence],
        [raw.error_type.value, raw.confidence],
        [[a.error_type.value, a.confidence] for a in raw.alternatives],
    ]
print(json.dumps(rows))
"""


def _git(*args: str) -> str:
    return git(list(args), ROOT).strip()


def main() -> int:
    cases = [c for c in load_cases(WILD) if c.split == "tuned"]
    by_commit: dict[str, list[Path]] = defaultdict(list)
    for case in cases:
        relative = (case.path / "case.toml").relative_to(ROOT)
        added = _git("log", "--diff-filter=A", "--format=%H", "-1", "--", str(relative))
        by_commit[added].append(case.path)
    record: dict[str, dict[str, object]] = {}
    for commit, folders in sorted(by_commit.items(), key=lambda kv: -len(kv[1])):
        parent = _git("rev-parse", f"{commit}^")
        with tempfile.TemporaryDirectory() as tmp:
            tree = Path(tmp) / "tree"
            _git("worktree", "add", "--detach", str(tree), parent)
            try:
                done = subprocess.run(
                    [sys.executable, "-c", _CLASSIFY, *map(str, folders)],
                    check=True,
                    capture_output=True,
                    text=True,
                    cwd=tree,
                    env={"PYTHONPATH": str(tree), "PATH": "/usr/bin:/bin"},
                )
            finally:
                _git("worktree", "remove", "--force", str(tree))
        verdicts = json.loads(done.stdout)
        right = 0
        for case in cases:
            if str(case.path) in verdicts:
                verdict, confidence, decided_by, evidence, raw, alternatives = verdicts[
                    str(case.path)
                ]
                right += verdict == case.label
                record[case.name] = {
                    "code": parent[:12],
                    "verdict": verdict,
                    "confidence": confidence,
                    "decided_by": decided_by,
                    "evidence": evidence,  # (line, context): what the learned model reads
                    # the rules alone, uncalibrated: their type, score and alternatives
                    "rules": raw,
                    "alternatives": alternatives,
                }
        print(
            f"{len(folders)} cases added in {commit[:12]}, classified by the code at "
            f"{parent[:12]}: {right} right"
        )
    OUT.write_text(json.dumps(dict(sorted(record.items())), indent=1) + "\n", encoding="utf-8")
    print(f"wrote {OUT} ({len(record)} cases of the tuned split)")
    return 0
