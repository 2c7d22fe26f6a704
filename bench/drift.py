"""A2: heal_locator on the labelled drift suite: healed, abstained and wrong, per kind."""

from __future__ import annotations

import tomllib
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from agent_engine.fix.healer import Heal, heal_locator
from agent_engine.fix.locators import Step, document, parse, resolve

SUITE = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "drift"


@dataclass(frozen=True, slots=True)
class DriftCase:
    kind: str
    original: str
    action: str
    html: str
    expected: str
    app: str = "snippets"
    target: str = ""  # a CSS selector for the element(s) meant, when `expected` is not given
    before: tuple[tuple[str, str], ...] = ()  # edits that give the last passing run's page

    @property
    def baseline(self) -> str:
        """The page as it was in the last passing run (the drift undone), or "" if unknown."""
        if not self.before:
            return ""
        page = self.html
        for after, before in self.before:
            if page.count(after) != 1:
                raise ValueError(f"{self.original}: {after!r} is not once in the page")
            page = page.replace(after, before)
        return page

    @property
    def healable(self) -> bool:
        return self.expected != "abstain"


def load_suite(folder: Path = SUITE) -> list[DriftCase]:
    """The cases of `cases.toml` and of every app folder's `cases.toml` (pages beside it)."""
    cases = []
    for path in [folder / "cases.toml", *sorted(folder.glob("*/cases.toml"))]:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        default_app = data.get("app", "snippets")
        cases += [
            DriftCase(
                c["kind"],
                c["original"],
                c["action"],
                c.get("html") or (path.parent / c["page"]).read_text(encoding="utf-8"),
                c.get("expected", ""),
                c.get("app")
                or ("sample_app" if c.get("page", "").startswith("sample-app") else default_app),
                c.get("target", ""),
                tuple((a, b) for a, b in c.get("before", ())),
            )
            for c in data["case"]
        ]
    return cases


def outcome(case: DriftCase, heal: Heal) -> str:
    """healed (right element), abstained, or wrong (a heal where none was due, or another)."""
    if heal.outcome != "healed":
        return "abstained"
    if case.expected == "abstain":
        return "wrong"
    if case.expected:
        return "healed" if heal.replacement == case.expected else "wrong"
    root = document(case.html)
    meant = resolve(root, [Step("locator", (case.target,))])
    chosen = resolve(root, parse(f"page.{heal.replacement}"))
    return "healed" if meant and chosen == meant else "wrong"


def report(suite: list[DriftCase], with_baseline: bool) -> str:
    """A2's tables per kind and per app, healing from the failing page alone or with the last
    passing run's page where the case has one."""
    by_kind: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    by_app: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    healable = healed = wrong = 0
    for case in suite:
        baseline = case.baseline if with_baseline else ""
        result = outcome(case, heal_locator(case.original, case.action, case.html, baseline))
        for table, key in ((by_kind, case.kind), (by_app, case.app)):
            table[key][result] += 1
            table[key]["healable"] += case.healable
        healable += case.healable
        healed += result == "healed"
        wrong += result == "wrong"
    lines = []
    for title, table in (("kind", by_kind), ("app", by_app)):
        lines.append(f"{title:<20}{'healed':>8}{'of healable':>13}{'abstained':>11}{'wrong':>7}")
        lines += [
            f"{key:<20}{counts['healed']:>8}{counts['healable']:>13}"
            f"{counts['abstained']:>11}{counts['wrong']:>7}"
            for key, counts in sorted(table.items())
        ]
        lines.append("")
    share = healed / healable if healable else 0.0
    lines.append(
        f"{len(suite)} cases from {len(by_app)} apps: {healed} of {healable} healable healed "
        f"({share:.0%}, target >= 85%), {wrong} wrong (target 0)"
    )
    return "\n".join(lines)


def main() -> int:
    suite = load_suite()
    print("== A2 from the failing page alone")
    print(report(suite, with_baseline=False))
    with_baseline = [c for c in suite if c.before]
    print()
    print(
        f"== A2 with the last passing run's page ({len(with_baseline)} of {len(suite)} cases "
        "have one; the others are not counted here)"
    )
    print(report(with_baseline, with_baseline=True))
    return 0
