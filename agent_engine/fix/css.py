"""CSS selector chains as the healer needs them: split into compound selectors and
combinators, each compound read as tag, id, classes, attributes and pseudo-classes, and
re-fitted to another element (the renamed id, class or attribute value changed, the rest kept)."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from agent_engine.fix.locators import Element

_COMBINATORS = frozenset(">+~")
_PART = re.compile(
    r"""\#(?P<id>[\w-]+)
      | \.(?P<cls>[\w-]+)
      | \[\s*(?P<attr>[\w:-]+)\s*(?:(?P<op>[~|^$*]?=)\s*(?P<val>"[^"]*"|'[^']*'|[^\]\s]+)\s*)?\]
      | (?P<pseudo>::?[\w-]+(?:\([^()]*\))?)""",
    re.VERBOSE,
)
_TAG = re.compile(r"^(?:[a-zA-Z][\w-]*|\*)")
Similarity = Callable[[str, str], float]


@dataclass(frozen=True, slots=True)
class Compound:
    """One compound selector: `a.btn[hx-put="/item/3"]:first-child`."""

    tag: str = ""
    id: str = ""
    classes: tuple[str, ...] = ()
    attrs: tuple[tuple[str, str, str], ...] = ()  # (name, operator, value)
    pseudos: tuple[str, ...] = field(default=())

    def render(self) -> str:
        attrs = "".join(f"[{n}]" if not op else f"[{n}{op}{_quote(v)}]" for n, op, v in self.attrs)
        return (
            self.tag
            + (f"#{self.id}" if self.id else "")
            + "".join(f".{c}" for c in self.classes)
            + attrs
            + "".join(self.pseudos)
        )


def _quote(value: str) -> str:
    return f'"{value}"' if '"' not in value else f"'{value}'"


def split_chain(selector: str) -> tuple[list[str], list[str]] | None:
    """`#list tbody > tr td` -> (["#list", "tbody", "tr", "td"], [" ", ">", " "]); None for a
    selector list (a comma) or text the splitter does not understand."""
    compounds: list[str] = []
    combinators: list[str] = []
    current, depth, quote, pending = "", 0, "", ""
    for char in selector.strip():
        if quote:
            current += char
            quote = "" if char == quote else quote
            continue
        if char in "\"'":
            quote = char
        elif char in "[(":
            depth += 1
        elif char in "])":
            depth -= 1
        elif depth == 0 and (char.isspace() or char in _COMBINATORS):
            if current:
                compounds.append(current)
                current = ""
                pending = " "
            if char in _COMBINATORS:
                if pending.strip() or not compounds:
                    return None
                pending = char
            continue
        elif depth == 0 and char == ",":
            return None
        if not current and compounds:
            combinators.append(pending or " ")
            pending = ""
        current += char
    if quote or depth or not current or pending.strip():
        return None
    compounds.append(current)
    return compounds, combinators


def join_chain(compounds: list[str], combinators: list[str]) -> str:
    parts = [compounds[0]]
    for combinator, compound in zip(combinators, compounds[1:], strict=True):
        parts.append(" " if combinator == " " else f" {combinator} ")
        parts.append(compound)
    return "".join(parts)


def parse_compound(text: str) -> Compound | None:
    """A compound's parts, or None when some of it is not understood."""
    tag_match = _TAG.match(text)
    tag = tag_match.group(0) if tag_match else ""
    position = len(tag)
    found: dict[str, list[object]] = {"id": [], "cls": [], "attr": [], "pseudo": []}
    while position < len(text):
        part = _PART.match(text, position)
        if not part:
            return None
        if part.group("id"):
            found["id"].append(part.group("id"))
        elif part.group("cls"):
            found["cls"].append(part.group("cls"))
        elif part.group("attr"):
            value = part.group("val") or ""
            if value[:1] in "\"'":
                value = value[1:-1]
            found["attr"].append((part.group("attr"), part.group("op") or "", value))
        else:
            found["pseudo"].append(part.group("pseudo"))
        position = part.end()
    if len(found["id"]) > 1:
        return None
    return Compound(
        tag=tag if tag != "*" else "",
        id=str(found["id"][0]) if found["id"] else "",
        classes=tuple(str(c) for c in found["cls"]),
        attrs=tuple(found["attr"]),  # type: ignore[arg-type]
        pseudos=tuple(str(p) for p in found["pseudo"]),
    )


def refit(compound: Compound, element: Element, similar: Similarity) -> Compound | None:
    """The compound rewritten to select `element`: what the element still has is kept, what
    it lost (an id, a class, an attribute's value) is replaced by the element's closest one;
    None when the element lacks something the compound cannot do without."""
    tag = compound.tag and str(element.tag)
    ident = compound.id and element.get("id", "")
    if compound.id and not ident:
        return None
    have = element.get("class", "").split()
    classes: list[str] = []
    for wanted in compound.classes:
        if wanted in have:
            classes.append(wanted)
            continue
        spare = [c for c in have if c not in classes and c not in compound.classes]
        best = max(spare, key=lambda c: similar(wanted, c), default="")
        if best and similar(wanted, best) > 0:
            classes.append(best)
    attrs: list[tuple[str, str, str]] = []
    for name, op, value in compound.attrs:
        actual = element.get(name)
        if actual is None:
            return None
        attrs.append((name, op, value if _attr_holds(op, value, actual) else actual))
        if op and op != "=" and not _attr_holds(op, value, actual):
            attrs[-1] = (name, "=", actual)
    fitted = replace(compound, tag=tag, id=ident, classes=tuple(classes), attrs=tuple(attrs))
    return fitted if fitted.render() else None


def _attr_holds(op: str, wanted: str, actual: str) -> bool:
    if not op:
        return True
    return {
        "=": actual == wanted,
        "~=": wanted in actual.split(),
        "|=": actual == wanted or actual.startswith(wanted + "-"),
        "^=": actual.startswith(wanted),
        "$=": actual.endswith(wanted),
        "*=": wanted in actual,
    }[op]


def resemblance(compound: Compound, element: Element, similar: Similarity) -> dict[str, float]:
    """How much `element` looks like what the compound described, per feature."""
    scores: dict[str, float] = {}
    if compound.tag:
        scores["tag"] = 1.0 if compound.tag == str(element.tag) else 0.0
    if compound.id:
        scores["id"] = similar(compound.id, element.get("id", ""))
    if compound.classes:
        have = element.get("class", "")
        scores["class"] = similar(" ".join(compound.classes), have)
    for name, _, value in compound.attrs:
        actual = element.get(name)
        key = "test_id" if name == "data-testid" else "attr"
        scores[key] = 0.0 if actual is None else (similar(value, actual) if value else 1.0)
    return scores
