"""The last passing run's page (the green baseline): which element a failing locator meant, and
which element of the failure's page is that same element now.

Two pages of one app a commit apart keep most of what an element is: its tag, most of its
attributes, its text, where it stands and what is written around it. An element of the old page
and one of the new correspond when each is the other's likest (a mutual best match), clearly
ahead of the runner-up. A look-alike that already stood beside the meant element in the old page
is its own element there, so it never corresponds to the meant one.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from agent_engine.fix.locators import Element, accessible_name, text_of, visible

# How much each part of an element counts in likeness (they sum to 1).
LIKENESS = {"attributes": 0.35, "name": 0.25, "ancestry": 0.15, "around": 0.15, "place": 0.1}
MIN_LIKENESS = 0.55  # a correspondence must be at least this alike ...
MIN_LEAD = 0.15  # ... and ahead of the next likest by this much (more than `place` alone)
_VOLATILE = frozenset({"style", "value", "checked", "selected", "aria-expanded", "tabindex"})
_CONTAINERS = frozenset(
    {"tr", "li", "article", "section", "form", "fieldset", "dialog", "nav", "header", "footer"}
)


@dataclass(frozen=True, slots=True)
class Match:
    """The element of the new page that is the meant one, how alike, and its lead; `copies`:
    elements of its kind that are new in the page (rows, cards, inline forms added beside it),
    which make the element one of several alike: which one the test means is then in
    neither page."""

    element: Element
    likeness: float
    lead: float
    copies: int = 0


class Profile:
    """What identifies an element in its page, read once."""

    def __init__(self, element: Element, place: int) -> None:
        self.element = element
        self.tag = str(element.tag)
        self.place = place  # its index among the page's elements of its tag

    @cached_property
    def attributes(self) -> frozenset[tuple[str, str]]:
        pairs = {(k, v.strip()) for k, v in self.element.attrib.items() if k not in _VOLATILE and v}
        pairs -= {p for p in pairs if p[0] == "class"}
        pairs |= {("class", c) for c in self.element.get("class", "").split()}
        return frozenset(pairs)

    @cached_property
    def name(self) -> str:
        return (accessible_name(self.element) or text_of(self.element))[:200]

    @cached_property
    def ancestry(self) -> tuple[str, ...]:
        return tuple(
            f"{a.tag}#{a.get('id', '')}.{a.get('class', '')}"
            for a in list(self.element.iterancestors())[:4]
        )

    @cached_property
    def around(self) -> str:
        """The text of the nearest container (row, item, form, section...), which tells rows
        and forms apart."""
        for node in self.element.iterancestors():
            if str(node.tag) in _CONTAINERS:
                return text_of(node)[:300]
        parent = self.element.getparent()
        return text_of(parent)[:300] if parent is not None else ""


def profiles(root: Element) -> dict[str, list[Profile]]:
    """The page's visible elements by tag, each with its place among its tag."""
    by_tag: dict[str, list[Profile]] = {}
    for element in root.iter():
        if isinstance(element.tag, str) and visible(element):
            same = by_tag.setdefault(str(element.tag), [])
            same.append(Profile(element, len(same)))
    return by_tag


def likeness(old: Profile, new: Profile) -> float:
    """0 (nothing in common, or another tag) to 1 (the same in every part)."""
    if old.tag != new.tag:
        return 0.0
    parts = {
        "attributes": _jaccard(old.attributes, new.attributes),
        "name": 1.0 if old.name == new.name else _words(old.name, new.name),
        "ancestry": _prefix(old.ancestry, new.ancestry),
        "around": 1.0 if old.around == new.around else _words(old.around, new.around),
        "place": 1.0 if old.place == new.place else 0.0,
    }
    return round(sum(LIKENESS[k] * v for k, v in parts.items()), 3)


def _jaccard(a: frozenset[tuple[str, str]], b: frozenset[tuple[str, str]]) -> float:
    if not a and not b:
        return 1.0
    return len(a & b) / len(a | b)


def _words(a: str, b: str) -> float:
    left, right = set(a.lower().split()), set(b.lower().split())
    if not left or not right:
        return 0.0
    return len(left & right) / len(left | right)


def _prefix(a: tuple[str, ...], b: tuple[str, ...]) -> float:
    """The share of the nearest ancestors that are alike, nearest first."""
    if not a and not b:
        return 1.0
    same = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        same += 1
    return same / max(len(a), len(b))


def _likest(profile: Profile, others: list[Profile]) -> list[tuple[float, Profile]]:
    return sorted(((likeness(profile, o), o) for o in others), key=lambda t: -t[0])


def counterpart(old_root: Element, meant: Element, new_root: Element) -> Match | None:
    """The element of `new_root` that is `meant` of `old_root`: a mutual best match alike
    enough and clearly ahead. None when it is gone or could be one of several."""
    old = profiles(old_root)
    new = profiles(new_root)
    mine = next((p for p in old.get(str(meant.tag), []) if p.element is meant), None)
    if mine is None:
        return None
    ranked = _likest(mine, new.get(mine.tag, []))
    if not ranked or ranked[0][0] < MIN_LIKENESS:
        return None
    best, found = ranked[0]
    lead = best - (ranked[1][0] if len(ranked) > 1 else 0.0)
    back = _likest(found, old[mine.tag])
    tied = len(back) > 1 and back[1][0] >= back[0][0]
    if lead < MIN_LEAD or back[0][1] is not mine or tied:
        return None
    kind = _kind(found.element)
    alike = [p for p in new[mine.tag] if p is not found and _kind(p.element) == kind]
    twins = {_identity(p): p for p in old[mine.tag]}
    copies = sum(_is_new(p, old[mine.tag], mine, twins) for p in alike)
    return Match(found.element, best, round(lead, 3), copies)


def _identity(profile: Profile) -> tuple[object, ...]:
    return (profile.attributes, profile.name, profile.around)


def _is_new(
    profile: Profile, old: list[Profile], meant: Profile, twins: dict[tuple[object, ...], Profile]
) -> bool:
    """No element of the old page is this one (or only the meant one resembles it). An
    unchanged element (an old one with the same attributes, name and surroundings) is
    answered at once: rows of a long list mostly are."""
    twin = twins.get(_identity(profile))
    if twin is not None and twin is not meant:
        return False
    likest = _likest(profile, old)
    return not likest or likest[0][0] < MIN_LIKENESS or likest[0][1] is meant


def _kind(element: Element) -> tuple[str, ...]:
    """What an element is, ignoring which one: its tag, classes, type and role, and the tags
    and classes of its parent and grandparent."""
    parent = element.getparent()
    grand = parent.getparent() if parent is not None else None
    return (
        str(element.tag),
        " ".join(sorted(element.get("class", "").split())),
        element.get("type", ""),
        element.get("role", ""),
        *(f"{n.tag}.{n.get('class', '')}" for n in (parent, grand) if n is not None),
    )
