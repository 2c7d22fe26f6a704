"""Fit the healer's published threshold, margin and kind weights on the drift suite.

A wrong heal is a wrong patch, so the fit is lexicographic: fewest wrong heals first, then most
healed. It runs on the failing page alone (the path the published values govern; the last
passing run's page has its own likeness rules) and on every app of the drift suite except
sample_app, which is kept as a check. Leave-one-app-out says what the values are worth on an
app they were not fitted on: for each app, the values are chosen on the others and scored on
it. Ties go to the values nearest the published ones. Prints what to publish; `healer.py`
holds the values.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

from agent_engine.fix import healer
from bench.drift import DriftCase, load_suite, outcome

THRESHOLDS = (0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.65)
MARGINS = (0.05, 0.1, 0.15, 0.2, 0.25)
KIND_WEIGHTS = (0.5, 1.0, 1.5)  # role and class; the tag weighs half of it
KEPT_OUT = "sample_app"


@dataclass(frozen=True, slots=True)
class Values:
    threshold: float
    margin: float
    kind: float

    def distance(self, other: Values) -> float:
        return (
            abs(self.threshold - other.threshold)
            + abs(self.margin - other.margin)
            + abs(self.kind - other.kind)
        )


def published() -> Values:
    return Values(healer.THRESHOLD, healer.MARGIN, healer.WEIGHTS["role"])


@contextmanager
def applied(values: Values) -> Iterator[None]:
    saved = (healer.THRESHOLD, healer.MARGIN, dict(healer.WEIGHTS))
    healer.THRESHOLD, healer.MARGIN = values.threshold, values.margin
    healer.WEIGHTS.update(role=values.kind, **{"class": values.kind}, tag=values.kind / 2)
    try:
        yield
    finally:
        healer.THRESHOLD, healer.MARGIN = saved[0], saved[1]
        healer.WEIGHTS.clear()
        healer.WEIGHTS.update(saved[2])


def results(values: Values, cases: Sequence[DriftCase]) -> list[str]:
    with applied(values):
        return [outcome(c, healer.heal_locator(c.original, c.action, c.html, "")) for c in cases]


def best(grid: dict[Values, list[str]], chosen: list[int], start: Values) -> Values:
    """The values with the fewest wrong, then the most healed, over the cases `chosen`."""

    def key(values: Values) -> tuple[int, int, float]:
        found = [grid[values][i] for i in chosen]
        return (found.count("wrong"), -found.count("healed"), values.distance(start))

    return min(grid, key=key)


def tally(found: list[str]) -> str:
    return f"{found.count('healed')} healed, {found.count('wrong')} wrong"


def main() -> int:
    suite = load_suite()
    fitted_on = [c for c in suite if c.app != KEPT_OUT]
    start = published()
    grid: dict[Values, list[str]] = {}
    points = list(itertools.product(THRESHOLDS, MARGINS, KIND_WEIGHTS))
    for n, (threshold, margin, kind) in enumerate(points, 1):
        grid[Values(threshold, margin, kind)] = results(Values(threshold, margin, kind), suite)
        if n % 15 == 0 or n == len(points):
            print(f"  {n}/{len(points)} settings tried on {len(suite)} cases", flush=True)
    index = {id(c): i for i, c in enumerate(suite)}
    apps = sorted({c.app for c in fitted_on})
    healable = sum(c.healable for c in fitted_on)
    print(f"fitted on {len(fitted_on)} cases ({healable} healable) from {len(apps)} apps")
    print(f"published: {start}: {tally([grid[start][index[id(c)]] for c in fitted_on])}")
    held_out: list[str] = []
    for app in apps:
        train = [index[id(c)] for c in fitted_on if c.app != app]
        test = [index[id(c)] for c in fitted_on if c.app == app]
        values = best(grid, train, start)
        found = [grid[values][i] for i in test]
        held_out += found
        print(f"  {app:<10} fitted on the other apps: {values} -> on {app}: {tally(found)}")
    print(f"leave-one-app-out: {tally(held_out)} of {healable} healable")
    final = best(grid, [index[id(c)] for c in fitted_on], start)
    print(f"fitted on all {len(apps)} apps: {final}: ", end="")
    print(tally([grid[final][index[id(c)]] for c in fitted_on]))
    kept = [index[id(c)] for c in suite if c.app == KEPT_OUT]
    print(
        f"{KEPT_OUT} (not fitted on): published {tally([grid[start][i] for i in kept])}, ", end=""
    )
    print(f"fitted {tally([grid[final][i] for i in kept])}")
    return 0
