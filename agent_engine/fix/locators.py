"""Playwright (Python) locators, parsed without evaluating code, and resolved against a DOM
snapshot parsed with lxml: enough of Playwright's semantics to heal and verify locators."""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from typing import Any, TypeAlias

import lxml.html
from cssselect import SelectorError
from lxml.etree import Comment, ParserError, ProcessingInstruction, strip_tags

from agent_engine.errors import InputError

# lxml.html.HtmlElement; lxml ships no type stubs, so mypy sees it as Any.
Element: TypeAlias = Any
METHODS = frozenset(
    {
        "locator",
        "get_by_role",
        "get_by_test_id",
        "get_by_text",
        "get_by_label",
        "get_by_placeholder",
        "get_by_alt_text",
        "get_by_title",
        "nth",
        "filter",
    }
)
PROPERTIES = frozenset({"first", "last"})
_HIDDEN_TAGS = frozenset(
    {"head", "script", "style", "template", "noscript", "meta", "link", "title"}
)
_INPUT_ROLES = {
    "button": "button",
    "submit": "button",
    "reset": "button",
    "image": "button",
    "checkbox": "checkbox",
    "radio": "radio",
    "range": "slider",
    "search": "searchbox",
    "number": "spinbutton",
}
_TAG_ROLES = {
    "button": "button",
    "textarea": "textbox",
    "select": "combobox",
    "h1": "heading",
    "h2": "heading",
    "h3": "heading",
    "h4": "heading",
    "h5": "heading",
    "h6": "heading",
    "ul": "list",
    "ol": "list",
    "li": "listitem",
    "table": "table",
    "tr": "row",
    "td": "cell",
    "th": "columnheader",
    "nav": "navigation",
    "main": "main",
    "dialog": "dialog",
    "option": "option",
    "header": "banner",
    "footer": "contentinfo",
    "form": "form",
    "article": "article",
}
_SPACE = re.compile(r"\s+")
_NO_TEXT = frozenset({"script", "style", "template", "noscript"})


class LocatorError(InputError):
    """A locator expression this module cannot read."""

    code = "unsupported_locator"


@dataclass(frozen=True, slots=True)
class Step:
    method: str
    args: tuple[Any, ...] = ()
    kwargs: tuple[tuple[str, Any], ...] = ()

    def kw(self, name: str, default: Any = None) -> Any:
        return dict(self.kwargs).get(name, default)

    def source(self) -> str:
        if self.method in PROPERTIES:
            return self.method
        parts = [_py(a) for a in self.args] + [f"{k}={_py(v)}" for k, v in self.kwargs]
        return f"{self.method}({', '.join(parts)})"


def _py(value: Any) -> str:
    return f'"{value}"' if isinstance(value, str) and '"' not in value else repr(value)


def render(steps: list[Step]) -> str:
    """Steps back to Python source, e.g. `get_by_role("button", name="Save").nth(1)`."""
    return ".".join(step.source() for step in steps)


def parse(expression: str) -> list[Step]:
    """`page.get_by_role("button", name="Save").nth(1)` as steps; only literal arguments."""
    try:
        node = ast.parse(expression.strip(), mode="eval").body
    except SyntaxError as exc:
        raise LocatorError(f"not a locator expression: {expression!r}") from exc
    steps, _ = chain(node)
    if not steps:
        raise LocatorError(f"no locator call in {expression!r}")
    return steps


def chain(node: ast.expr) -> tuple[list[Step], ast.expr]:
    """The locator steps of an expression, outermost last, and what they are called on (the
    page, a fixture, a variable). A step with a non-literal argument is a LocatorError."""
    steps: list[Step] = []
    while True:
        if isinstance(node, ast.Attribute) and node.attr in PROPERTIES:
            steps.append(Step(node.attr))
            node = node.value
            continue
        if not isinstance(node, ast.Call):
            break
        if isinstance(node.func, ast.Name) and node.func.id in METHODS:
            # As Playwright prints it: `locator("#id")`, with nothing it is called on.
            steps.append(_step(node.func.id, node))
            return list(reversed(steps)), ast.Constant(None)
        if not (isinstance(node.func, ast.Attribute) and node.func.attr in METHODS):
            break
        steps.append(_step(node.func.attr, node))
        node = node.func.value
    return list(reversed(steps)), node


def _step(method: str, node: ast.Call) -> Step:
    try:
        args = tuple(ast.literal_eval(a) for a in node.args)
        kwargs = tuple((k.arg or "", ast.literal_eval(k.value)) for k in node.keywords)
    except ValueError as exc:
        raise LocatorError(f"only literal arguments are supported: {ast.unparse(node)!r}") from exc
    return Step(method, args, kwargs)


def document(html: str) -> Element:
    """The snapshot's root element. Comments and processing instructions are dropped (they are
    not elements, and text split by a comment reads as one in the browser)."""
    if not html.strip():
        raise InputError("the DOM snapshot is empty")
    try:
        root = lxml.html.document_fromstring(html)
    except (ParserError, ValueError) as exc:
        raise InputError(f"the DOM snapshot cannot be parsed: {exc}") from exc
    strip_tags(root, Comment, ProcessingInstruction)
    if not any(text_of(e) or len(e) for e in root.iterchildren()):
        raise InputError("the DOM snapshot has no content")
    return root


def resolve(root: Element, steps: list[Step]) -> list[Element]:
    """The elements the chain matches, in document order (visible ones only)."""
    scope = [root]
    for step in steps:
        scope = _apply(scope, step)
    return scope


def _apply(scope: list[Element], step: Step) -> list[Element]:
    if step.method == "nth":
        index = int(step.args[0])
        return [scope[index]] if -len(scope) <= index < len(scope) else []
    if step.method in PROPERTIES:
        return scope[:1] if step.method == "first" else scope[-1:]
    if step.method == "filter":
        wanted = step.kw("has_text")
        return [e for e in scope if wanted is None or _contains(text_of(e), wanted, False)]
    found: list[Element] = []
    for parent in scope:
        found += [e for e in _match(parent, step) if e not in found]
    return [e for e in found if visible(e)]


def _match(parent: Element, step: Step) -> list[Element]:
    value, exact = (step.args[0] if step.args else ""), bool(step.kw("exact", False))
    everything = [e for e in parent.iterdescendants() if isinstance(e.tag, str)]
    if step.method == "locator":
        try:
            return list(parent.cssselect(str(value)))
        except SelectorError as exc:
            raise LocatorError(f"unsupported CSS selector {value!r}") from exc
    if step.method == "get_by_test_id":
        return [e for e in everything if e.get("data-testid") == value]
    if step.method == "get_by_role":
        name = step.kw("name")
        return [
            e
            for e in everything
            if role_of(e) == value and (name is None or _contains(accessible_name(e), name, exact))
        ]
    if step.method == "get_by_text":
        hits = [e for e in everything if _contains(text_of(e), value, exact)]
        return [e for e in hits if not any(c in hits for c in e.iterchildren())]
    attribute = {
        "get_by_placeholder": "placeholder",
        "get_by_alt_text": "alt",
        "get_by_title": "title",
    }.get(step.method)
    if attribute:
        return [e for e in everything if _contains(e.get(attribute, ""), value, exact)]
    return [e for e in everything if _contains(label_of(e), value, exact)]  # get_by_label


def _contains(text: str, wanted: str, exact: bool) -> bool:
    text, wanted = _SPACE.sub(" ", text).strip(), _SPACE.sub(" ", str(wanted)).strip()
    return text == wanted if exact else bool(wanted) and wanted.lower() in text.lower()


def text_of(element: Element) -> str:
    """Visible text, pieces joined by spaces (`<a>Apollo</a><span>3 tasks</span>`); the
    content of script, style and template elements is not text."""
    return _SPACE.sub(" ", " ".join(_texts(element))).strip()


def _texts(element: Element) -> list[str]:
    parts = [element.text or ""] if element.tag not in _NO_TEXT else []
    for child in element.iterchildren():
        if isinstance(child.tag, str) and child.tag not in _NO_TEXT:
            parts += _texts(child)
        parts.append(child.tail or "")
    return parts


def visible(element: Element) -> bool:
    if element.tag == "input" and element.get("type", "").lower() == "hidden":
        return False
    for node in [element, *element.iterancestors()]:
        style = node.get("style", "").replace(" ", "").lower()
        if (
            node.tag in _HIDDEN_TAGS
            or node.get("hidden") is not None
            or "display:none" in style
            or "visibility:hidden" in style
            or node.get("aria-hidden") == "true"
        ):
            return False
    return True


def enabled(element: Element) -> bool:
    return element.get("disabled") is None and element.get("aria-disabled") != "true"


def role_of(element: Element) -> str:
    if element.get("role"):
        return str(element.get("role"))
    tag = str(element.tag)
    if tag == "a":
        return "link" if element.get("href") is not None else ""
    if tag == "input":
        kind = element.get("type", "text").lower()
        return _INPUT_ROLES.get(kind, "textbox" if kind not in ("hidden", "file") else "")
    if tag == "img":
        return "img" if element.get("alt") else ""
    return _TAG_ROLES.get(tag, "")


def label_of(element: Element) -> str:
    """The text of the label that names a form control (for=, wrapping, aria-*)."""
    if element.get("aria-label"):
        return str(element.get("aria-label"))
    root = element.getroottree().getroot()
    labelled = element.get("aria-labelledby")
    if labelled:
        return " ".join(
            text_of(n) for i in labelled.split() for n in root.xpath("//*[@id=$i]", i=i)
        )
    if element.get("id"):
        for label in root.xpath("//label[@for=$i]", i=element.get("id")):
            return text_of(label)
    for ancestor in element.iterancestors("label"):
        return text_of(ancestor)
    return ""


def accessible_name(element: Element) -> str:
    label = label_of(element)
    if label:
        return label
    tag = str(element.tag)
    if tag == "img":
        return str(element.get("alt", ""))
    if tag == "input":
        kind = element.get("type", "text").lower()
        value = element.get("value") if kind in ("button", "submit", "reset") else None
        return str(value or element.get("placeholder") or element.get("title") or "")
    images = " ".join(i.get("alt", "") for i in element.iterdescendants("img")).strip()
    return text_of(element) or images or str(element.get("title", ""))
