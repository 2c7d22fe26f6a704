"""A1: per-type precision and recall, macro F1, the unknown share and the reliability table."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from agent_engine.taxonomy import ErrorType
from agent_engine.triage.classify import Classifier
from agent_engine.triage.rules import load_rules
from bench.corpus import CORPUS, HOLDOUT, WILD, Case, load_cases

BINS = ((0.9, 1.01), (0.8, 0.9), (0.7, 0.8), (0.5, 0.7), (0.3, 0.5), (0.0, 0.3))


@dataclass(slots=True)
class Outcome:
    case: Case
    verdict: str
    confidence: float
    decided_by: str = "rules"

    @property
    def right(self) -> bool:
        return self.verdict == self.case.label


@dataclass(slots=True)
class Report:
    outcomes: list[Outcome] = field(default_factory=list)

    def per_type(self) -> dict[str, tuple[float, float, float, int]]:
        """type -> (precision, recall, F1, support) over the labels present in the corpus."""
        labels = sorted({o.case.label for o in self.outcomes})
        table = {}
        for label in labels:
            tp = sum(o.right and o.verdict == label for o in self.outcomes)
            predicted = sum(o.verdict == label for o in self.outcomes)
            support = sum(o.case.label == label for o in self.outcomes)
            precision = tp / predicted if predicted else 0.0
            recall = tp / support if support else 0.0
            f1 = 2 * precision * recall / (precision + recall) if tp else 0.0
            table[label] = (precision, recall, f1, support)
        return table

    def macro_f1(self) -> float:
        table = self.per_type()
        return sum(row[2] for row in table.values()) / len(table)

    def unknown_share(self) -> float:
        unknown = sum(o.verdict == ErrorType.UNKNOWN.value for o in self.outcomes)
        return unknown / len(self.outcomes)

    def calibration(self) -> list[tuple[str, int, float, float]]:
        """The reliability table: per confidence band, verdicts, share right, mean confidence."""
        rows = []
        for low, high in BINS:
            inside = [o for o in self.outcomes if low <= o.confidence < high]
            accuracy = sum(o.right for o in inside) / len(inside) if inside else 0.0
            mean = sum(o.confidence for o in inside) / len(inside) if inside else 0.0
            rows.append(
                (
                    f"[{low:.1f}, {min(high, 1.0):.1f}{']' if high > 1 else ')'}",
                    len(inside),
                    accuracy,
                    mean,
                )
            )
        return rows


def evaluate(cases: list[Case]) -> Report:
    """Classify every case with the built-in rules."""
    classifier = Classifier(load_rules())
    report = Report()
    for case in cases:
        verdict = classifier.classify(case.logs(), case.junit())
        report.outcomes.append(
            Outcome(case, verdict.error_type.value, verdict.confidence, verdict.decided_by)
        )
    return report


def render(report: Report, name_misses: bool = True) -> str:
    """The A1 tables as text; the misclassified cases by name unless `name_misses` is off (the
    never-tuned split: a named miss invites a rule written for it)."""
    lines = [f"{'error_type':<28}{'precision':>10}{'recall':>8}{'F1':>7}{'n':>5}"]
    for label, (p, r, f1, n) in report.per_type().items():
        lines.append(f"{label:<28}{p:>10.2f}{r:>8.2f}{f1:>7.2f}{n:>5}")
    total = len(report.outcomes)
    right = sum(o.right for o in report.outcomes)
    lines += [
        "",
        f"cases {total}, right {right} ({right / total:.1%}, target >= 90% on the never-tuned "
        f"split), macro F1 {report.macro_f1():.3f}, unknown share "
        f"{report.unknown_share():.1%} (target <= 5%)",
        "",
        "reliability (confidence is calibrated: see bench train)",
        f"{'confidence':<14}{'verdicts':>9}{'right':>8}{'mean conf':>11}",
    ]
    lines += [
        f"{name:<14}{n:>9}{acc:>8.1%}{mean:>11.2f}" for name, n, acc, mean in report.calibration()
    ]
    lines.append("(target: right >= 95% in [0.9, 1.0])")
    deciders = Counter(o.decided_by for o in report.outcomes)
    lines += ["", f"{'decided by':<14}{'verdicts':>9}{'right':>8}"]
    for who, n in sorted(deciders.items()):
        right_here = sum(o.right for o in report.outcomes if o.decided_by == who)
        lines.append(f"{who:<14}{n:>9}{right_here / n:>8.1%}")
    misses = [o for o in report.outcomes if not o.right]
    if misses and not name_misses:
        lines += [
            "",
            f"misclassified: {len(misses)} (not named: no rule is written from this split)",
        ]
    elif misses:
        lines += ["", "misclassified:"]
        lines += [f"  {o.case.name}: {o.verdict} ({o.confidence:.2f})" for o in misses]
    stacks = Counter(o.case.stack for o in report.outcomes)
    lines += ["", "stacks: " + ", ".join(f"{s} {n}" for s, n in sorted(stacks.items()))]
    return "\n".join(lines)


def main() -> int:
    wild = load_cases(WILD)
    sets = [
        ("never-tuned split of the wild set (the headline; no rule was tuned on it)", "untuned"),
        ("tuned split of the wild set", "tuned"),
    ]
    for title, split in sets:
        cases = [c for c in wild if c.split == split]
        repositories = len({c.repository.lower() for c in cases})
        print(f"== A1 on the {title}: {WILD}, {len(cases)} cases from {repositories} repositories")
        print(render(evaluate(cases), name_misses=split == "tuned"))
        print()
    for title, root in (("corpus (rules tuned on it)", CORPUS), ("held-out set", HOLDOUT)):
        print(f"== A1 on the {title}: {root}")
        print(render(evaluate(load_cases(root))))
        print()
    return 0
