"""A2: heal_locator on the labelled drift suite: healed, abstained and wrong, per kind."""

from __future__ import annotations

import tomllib
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from agent_engine.fix.healer import Heal, heal_locator

SUITE = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "drift"


@dataclass(frozen=True, slots=True)
class DriftCase:
    kind: str
    original: str
    action: str
    html: str
    expected: str

    @property
    def healable(self) -> bool:
        return self.expected != "abstain"


def load_suite(folder: Path = SUITE) -> list[DriftCase]:
    data = tomllib.loads((folder / "cases.toml").read_text(encoding="utf-8"))
    return [
        DriftCase(
            c["kind"],
            c["original"],
            c["action"],
            c.get("html") or (folder / c["page"]).read_text(encoding="utf-8"),
            c["expected"],
        )
        for c in data["case"]
    ]


def outcome(case: DriftCase, heal: Heal) -> str:
    """healed (right element), abstained, or wrong (a heal where none was due, or another)."""
    if heal.outcome != "healed":
        return "abstained"
    return "healed" if heal.replacement == case.expected else "wrong"


def main() -> int:
    table: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    healable = healed = wrong = 0
    for case in load_suite():
        result = outcome(case, heal_locator(case.original, case.action, case.html))
        table[case.kind][result] += 1
        healable += case.healable
        healed += result == "healed"
        wrong += result == "wrong"
    print(f"{'kind':<18}{'healed':>8}{'abstained':>11}{'wrong':>7}")
    for kind, counts in sorted(table.items()):
        print(f"{kind:<18}{counts['healed']:>8}{counts['abstained']:>11}{counts['wrong']:>7}")
    share = healed / healable if healable else 0.0
    print(
        f"\n{sum(sum(c.values()) for c in table.values())} cases: {healed} of {healable} "
        f"healable healed ({share:.0%}, target >= 80%), {wrong} wrong (target 0)"
    )
    return 0
