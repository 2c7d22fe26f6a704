"""heal_locator: a deterministic replacement for a locator that no longer resolves, chosen from
the DOM snapshot of the failure by fixed, published weights, or an abstention with evidence."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from difflib import SequenceMatcher
from typing import Literal

from agent_engine.errors import InputError
from agent_engine.fix.baseline import Match, counterpart
from agent_engine.fix.css import (
    Compound,
    join_chain,
    parse_compound,
    refit,
    resemblance,
    split_chain,
)
from agent_engine.fix.locators import (
    Element,
    LocatorError,
    Step,
    accessible_name,
    document,
    enabled,
    label_of,
    parse,
    render,
    resolve,
    role_of,
    text_of,
    visible,
)

# The published weights: how much each feature of the original locator counts when it was
# present in it. A score is the weighted mean over the features the locator actually had.
WEIGHTS: dict[str, float] = {
    "test_id": 3.0,
    "role": 1.0,
    "name": 3.0,
    "text": 3.0,
    "label": 3.0,
    "placeholder": 3.0,
    "alt": 3.0,
    "id": 3.0,
    "class": 1.0,
    "attr": 3.0,
    "tag": 0.5,
}
THRESHOLD = 0.5  # the best candidate's score must reach this ...
MARGIN = 0.15  # ... and beat the runner-up (with a different replacement) by this much
TOP = 5
_WORD = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])|\d+")
_GENERATED = re.compile(r"^(?:[a-z]*[-_]?)?[0-9a-f]{6,}$|^:r[0-9a-z]+:$|^ember\d+$")
_FILLABLE = frozenset({"input", "textarea", "select"})
_TEXT_ROLES = frozenset({"textbox", "searchbox", "spinbutton", "combobox"})
# Roles that do the same kind of thing: a link that became a button is still what the test
# clicks; a button that became a text box is not.
_FAMILIES = (
    frozenset({"button", "link", "menuitem", "tab", "option"}),
    frozenset({"textbox", "searchbox", "combobox", "spinbutton"}),
    frozenset({"checkbox", "radio", "switch", "menuitemcheckbox"}),
)
_CLICKS = frozenset({"click", "dblclick", "tap", "hover"})
_INTERACTIVE_TAGS = frozenset(
    {"a", "button", "input", "select", "textarea", "summary", "option", "label"}
)
_INTERACTIVE_ROLES = frozenset(
    {
        "button",
        "link",
        "checkbox",
        "radio",
        "tab",
        "menuitem",
        "option",
        "switch",
        "combobox",
        "textbox",
    }
)

# Actions that work on a list of elements; any other action needs exactly one (strict mode).
_LIST_ACTIONS = frozenset(
    {"to_have_count", "count", "all", "all_text_contents", "all_inner_texts", "nth"}
)
_CAMEL = re.compile(r"(?<=[a-z])([A-Z])")

Outcome = Literal[
    "healed", "abstain_low_score", "abstain_ambiguous", "abstain_removed", "not_applicable"
]


@dataclass(slots=True)
class Candidate:
    element: Element
    score: float
    features: dict[str, float]
    replacement: str = ""


@dataclass(slots=True)
class Heal:
    """The result: a replacement, or an abstention with the top candidates as evidence."""

    outcome: Outcome
    original: str
    replacement: str = ""
    score: float = 0.0
    margin: float = 0.0
    candidates: list[dict[str, object]] = field(default_factory=list)
    reason: str = ""


_STOPWORDS = frozenset(
    {
        "a",
        "an",
        "the",
        "to",
        "of",
        "for",
        "and",
        "or",
        "in",
        "on",
        "at",
        "by",
        "with",
        "your",
        "my",
        "our",
        "i",
        "as",
        "is",
        "it",
    }
)


def tokens(text: str) -> set[str]:
    """`login-submit-btn` / `loginSubmitBtn` -> {login, submit, btn}; plurals folded,
    small words (the, to, your…) dropped: they make unrelated labels look alike."""
    words = (w.lower() for w in _WORD.findall(text))
    return {w[:-1] if len(w) > 3 and w.endswith("s") else w for w in words} - _STOPWORDS


def similarity(a: str, b: str) -> float:
    """Shared words, 0 (nothing shared) to 1 (equal): a word matches the same word, a
    spelling of it (`colour`/`color`, `archive`/`archived`) or a word it abbreviates
    (`pub`/`published`) in part. Spelling is compared word by word, never over the whole
    string: `Archive project` and `Share project` look alike letter by letter and are not."""
    if not a or not b:
        return 0.0
    if a.strip().lower() == b.strip().lower():
        return 1.0
    left, right = tokens(a), tokens(b)
    if not left or not right:
        return 0.0
    matched = sum(max(_word(w, r) for r in right) for w in left)
    matched = min(matched, sum(max(_word(r, w) for w in left) for r in right))
    return round(matched / (len(left) + len(right) - matched), 3)


# Words interfaces use for the same act or thing: a button renamed from one to another is a
# rename, not another control ("Add task" -> "Create task").
_SYNONYMS = (
    frozenset({"add", "create", "new"}),
    frozenset({"delete", "remove", "trash"}),
    frozenset({"edit", "update", "modify", "change"}),
    frozenset({"save", "submit", "apply", "confirm"}),
    frozenset({"cancel", "discard", "dismiss"}),
    frozenset({"search", "find"}),
    frozenset({"login", "signin", "log", "sign"}),
    frozenset({"register", "signup", "join"}),
    frozenset({"coupon", "promo", "voucher", "discount"}),
    frozenset({"setting", "preference", "option"}),
    frozenset({"email", "mail"}),
    frozenset({"next", "continue", "proceed"}),
    frozenset({"back", "previous", "prev"}),
    frozenset({"close", "dismiss"}),
)


def _word(a: str, b: str) -> float:
    if a == b:
        return 1.0
    if any(a in group and b in group for group in _SYNONYMS):
        return 0.8
    short, long = sorted((a, b), key=len)
    if len(short) >= 3 and (long.startswith(short) or _abbreviates(short, long)):
        return 0.8
    ratio = SequenceMatcher(None, a, b).ratio()
    return ratio if ratio >= 0.8 else 0.0


def _abbreviates(short: str, long: str) -> bool:
    """`btn`/`button`, `qty`/`quantity`, `pwd`/`password`: a short word made of the long
    one's letters, in order, from its first."""
    if len(short) > 4 or short[0] != long[0]:
        return False
    rest = iter(long)
    return all(letter in rest for letter in short)


def features_of(steps: list[Step]) -> dict[str, str]:
    """What the original locator said about its element (its last matching step, filters)."""
    wanted: dict[str, str] = {}
    for step in steps:
        value = str(step.args[0]) if step.args else ""
        if step.method == "get_by_test_id":
            wanted = {"test_id": value}
        elif step.method == "get_by_role":
            wanted = {"role": value} | ({"name": str(step.kw("name"))} if step.kw("name") else {})
        elif step.method in (
            "get_by_text",
            "get_by_label",
            "get_by_placeholder",
            "get_by_alt_text",
        ):
            key = step.method.removeprefix("get_by_").removesuffix("_text") or "text"
            wanted = {key if key != "alt" else "alt": value}
        elif step.method == "locator":
            wanted = _css_features(value)
        elif step.method == "filter" and step.kw("has_text"):
            wanted["text"] = str(step.kw("has_text"))
    return wanted


def _css_features(selector: str) -> dict[str, str]:
    """Features of the element a CSS selector targets: its last compound selector."""
    selector = re.split(r"[\s>+~]+", selector.strip())[-1]
    found: dict[str, str] = {}
    if m := re.search(r"#([\w-]+)", selector):
        found["id"] = m.group(1)
    if m := re.search(r"\[data-testid=['\"]?([\w-]+)", selector):
        found["test_id"] = m.group(1)
    if classes := re.findall(r"\.([\w-]+)", selector):
        found["class"] = " ".join(classes)
    if m := re.match(r"^([a-z][a-z0-9]*)", selector):
        found["tag"] = m.group(1)
    return found


def describe(element: Element) -> dict[str, str]:
    """The same features, read off a candidate element."""
    return {
        "test_id": element.get("data-testid", ""),
        "role": role_of(element),
        "name": accessible_name(element),
        "text": text_of(element)[:200],
        "label": label_of(element),
        "placeholder": element.get("placeholder", ""),
        "alt": element.get("alt", ""),
        "id": element.get("id", ""),
        "class": element.get("class", ""),
        "tag": str(element.tag),
    }


def fits(element: Element, action: str) -> bool:
    """Visible, enabled, and right for the action (fill needs a text field, check a box)."""
    if not visible(element) or not enabled(element):
        return False
    if action in ("fill", "type", "press_sequentially", "clear", "to_have_value"):
        if str(element.tag) == "input":
            return role_of(element) in _TEXT_ROLES
        return str(element.tag) in _FILLABLE or element.get("contenteditable") == "true"
    if action in ("check", "uncheck", "set_checked", "to_be_checked"):
        return role_of(element) in ("checkbox", "radio", "switch")
    return True


def interactive(element: Element) -> bool:
    return (
        str(element.tag) in _INTERACTIVE_TAGS
        or role_of(element) in _INTERACTIVE_ROLES
        or element.get("tabindex") is not None
        or element.get("onclick") is not None
    )


def click_target(element: Element) -> Element | None:
    """A click lands on the nearest interactive element: the element or an ancestor."""
    for node in [element, *element.iterancestors()]:
        if interactive(node):
            return node
    return None


# What an element is (its test id, name, text, label, id...) decides; what kind of element it
# is (role, tag, class) only confirms: many elements share a role, so a match there must not
# lift a weak name match over the threshold.
_KIND = frozenset({"role", "tag", "class"})


def score(wanted: dict[str, str], element: Element) -> Candidate:
    have = describe(element)
    per = {f: _feature(f, v, have[f]) for f, v in wanted.items() if f in WEIGHTS}
    for feature in ("id", "test_id"):
        if feature in per and per[feature] < 1.0:
            per[feature] = max(per[feature], _echo(wanted[feature], element))
    return Candidate(element, combine(per), per)


def _echo(wanted: str, element: Element) -> float:
    """An id or test id that was renamed often survives in the element's other names (its
    class, its `name`, its id or test id): the same word there counts, a little less."""
    names = [
        element.get("id", ""),
        element.get("data-testid", ""),
        element.get("name", ""),
        *element.get("class", "").split(),
    ]
    return 0.9 if wanted in names else 0.0


def combine(per: dict[str, float]) -> float:
    """Identity features' weighted mean, confirmed by kind features (x0.75 to x1); only kind
    features when the locator had nothing else (`button.primary`)."""
    identity = {f: v for f, v in per.items() if f not in _KIND}
    kind = {f: v for f, v in per.items() if f in _KIND}

    def mean(values: dict[str, float]) -> float:
        total = sum(WEIGHTS[f] for f in values)
        return sum(WEIGHTS[f] * v for f, v in values.items()) / total if total else 0.0

    if not identity:
        return round(mean(kind), 3)
    named = mean(identity)
    changed_kind = min(per.get("role", 1.0), per.get("tag", 1.0)) < 1.0
    if per.get("role", 1.0) == 0.0 or (changed_kind and named < 0.9):
        return 0.0  # another kind of element, or a changed kind and a changed name: two changes
    return round(named * (0.75 + 0.25 * mean(kind) if kind else 1.0), 3)


def _feature(name: str, wanted: str, have: str) -> float:
    if name == "role" and wanted != have:
        return 0.5 if any({wanted, have} <= family for family in _FAMILIES) else 0.0
    if name in ("role", "tag"):
        return 1.0 if wanted == have else 0.0
    if name == "class":
        return similarity(wanted, have)
    if name in ("id", "test_id") and _GENERATED.match(have or "x"):
        return 0.0  # a generated id says nothing
    if name == "text" and wanted and wanted.lower() in have.lower():
        return 1.0  # Playwright's text matching is by substring
    return similarity(wanted, have)


def replacement_for(
    root: Element, element: Element, tail: list[Step] | None = None, counted: bool = False
) -> str:
    """The locator for `element` in Playwright's preference order that, with the original's
    trailing filter or nth, matches only it (or, for a count, the list of like rows it is
    one of)."""
    tail = tail or []
    have = describe(element)
    options: list[list[Step]] = []
    if have["test_id"]:
        options.append([Step("get_by_test_id", (have["test_id"],))])
    if have["role"] and have["name"]:
        options.append([Step("get_by_role", (have["role"],), (("name", have["name"]),))])
    for key, method in (
        ("placeholder", "get_by_placeholder"),
        ("label", "get_by_label"),
        ("alt", "get_by_alt_text"),
    ):
        if have[key]:
            options.append([Step(method, (have[key],))])
    if have["text"] and len(have["text"]) <= 80:
        options.append([Step("get_by_text", (have["text"],), (("exact", True),))])
    if have["id"] and not _GENERATED.match(have["id"]):
        options.append([Step("locator", (f"#{have['id']}",))])
    for steps in options:
        found = resolve(root, [*steps, *tail])
        if found == [element] or (counted and element in found and _like_siblings(found)):
            return render([*steps, *tail])
    return ""


def _like_siblings(elements: list[Element]) -> bool:
    """Two or more elements of one tag under one parent: the rows of one list."""
    return (
        len(elements) >= 2
        and len({e.getparent() for e in elements}) == 1
        and len({e.tag for e in elements}) == 1
    )


def heal_locator(original: str, action: str, snapshot_html: str, baseline_html: str = "") -> Heal:
    """Heal `original` against the failure's DOM snapshot, or abstain (with why). With the
    last passing run's page of the same test (`baseline_html`), the element the locator
    named there decides: found again, it is the heal; gone, no look-alike stands in for it."""
    steps = parse(original)
    root = document(snapshot_html)
    if resolve(root, steps):
        return Heal("not_applicable", original, reason="the locator still resolves here")
    heal = _from_snapshot(root, steps, original, action)
    return _with_baseline(heal, root, steps, action, baseline_html) if baseline_html else heal


def _from_snapshot(root: Element, steps: list[Step], original: str, action: str) -> Heal:
    tail = narrowing_tail(steps)
    ranked = rank_chain(root, steps, _CAMEL.sub(r"_\1", action).lower())
    if ranked is None:
        ranked = rank(root, features_of(steps), action)
        counted = _CAMEL.sub(r"_\1", action).lower() in _LIST_ACTIONS
        for candidate in ranked[:TOP]:
            candidate.replacement = replacement_for(root, candidate.element, tail, counted)
            _list_evidence(root, candidate, tail, counted)
        ranked.sort(key=lambda c: -c.score)
    return _verdict(original, ranked)


def _with_baseline(
    heal: Heal, root: Element, steps: list[Step], action: str, baseline_html: str
) -> Heal:
    """The failing snapshot's heal, decided again with the last passing run's page."""
    try:
        old = document(baseline_html)
        meant = resolve(old, steps)
    except (InputError, LocatorError) as exc:
        return replace(heal, reason=f"{heal.reason}; the last passing run's page: {exc}")
    if not meant:
        why = "the locator named nothing in the last passing run's page (another page)"
        return replace(heal, reason=f"{heal.reason}; {why}")
    match = counterpart(old, meant[0], root) if len(meant) == 1 else None
    if match is not None:
        return _found_again(heal, root, steps, action, match)
    if heal.outcome == "healed":
        before = _selected(old, heal.replacement)
        if before and not set(before) & set(meant):
            why = (
                f"{heal.replacement} named another element in the last passing run's page: "
                "the element the locator meant is gone"
            )
            return replace(heal, outcome="abstain_removed", replacement="", reason=why)
    return heal


def _found_again(heal: Heal, root: Element, steps: list[Step], action: str, match: Match) -> Heal:
    """The element the locator named in the last passing run, found in the failure's page:
    the heal is a locator for it (the snapshot's own when that names it already)."""
    found = f"likeness {match.likeness:.2f}, lead {match.lead:.2f}"
    if match.copies:
        why = (
            f"the element the locator named has {match.copies} new look-alike(s) beside it "
            "since the last passing run: which one the test means is in neither page"
        )
        return replace(heal, outcome="abstain_ambiguous", replacement="", reason=why)
    verb = _CAMEL.sub(r"_\1", action).lower()
    target = click_target(match.element) if verb in _CLICKS else match.element
    chosen = _selected(root, heal.replacement) if heal.outcome == "healed" else []
    if chosen and chosen == [target]:
        return replace(heal, reason=f"{heal.reason}; the element of the last passing run ({found})")
    replacement = (
        replacement_for(root, target, narrowing_tail(steps), verb in _LIST_ACTIONS)
        if target is not None and fits(target, verb)
        else ""
    )
    if not replacement:
        why = "the element of the last passing run has no unique locator fit for the action"
        return replace(heal, outcome="abstain_ambiguous", replacement="", reason=why)
    return replace(
        heal,
        outcome="healed",
        replacement=replacement,
        score=match.likeness,
        margin=match.lead,
        reason=f"the element the locator named in the last passing run ({found})",
    )


def _selected(root: Element, replacement: str) -> list[Element]:
    try:
        return resolve(root, parse(f"page.{replacement}"))
    except LocatorError:
        return []


def _list_evidence(root: Element, candidate: Candidate, tail: list[Step], counted: bool) -> None:
    """A locator the test narrows (`.filter(...)`, `.nth(i)`, `.first`) or counts named a
    list; a replacement that without that narrowing names a list too (like siblings: same
    tag, same parent) agrees with it, and counts half of what is missing to a full score."""
    if not (tail or counted) or not candidate.replacement:
        return
    steps = parse(f"page.{candidate.replacement}")
    if _like_siblings(resolve(root, steps[: len(steps) - len(tail)])):
        candidate.score = round(0.5 + 0.5 * candidate.score, 3)
        candidate.features = {**candidate.features, "list": 1.0}


def _verdict(original: str, ranked: list[Candidate]) -> Heal:
    evidence = [_row(c) for c in ranked[:TOP]]
    if not ranked or ranked[0].score < THRESHOLD:
        top = ranked[0].score if ranked else 0.0
        return Heal(
            "abstain_low_score",
            original,
            score=top,
            candidates=evidence,
            reason=f"best score {top:.2f} is under {THRESHOLD}",
        )
    best = ranked[0]
    rival = next((c for c in ranked[1:TOP] if c.replacement != best.replacement), None)
    margin = best.score - (rival.score if rival else 0.0)
    if margin < MARGIN or not best.replacement:
        why = (
            "no unique locator for it"
            if not best.replacement
            else (f"runner-up within {margin:.2f}")
        )
        return Heal(
            "abstain_ambiguous",
            original,
            score=best.score,
            margin=round(margin, 3),
            candidates=evidence,
            reason=why,
        )
    return Heal(
        "healed",
        original,
        best.replacement,
        best.score,
        round(margin, 3),
        evidence,
        f"score {best.score:.2f}, margin {margin:.2f}",
    )


def rank_chain(root: Element, steps: list[Step], action: str) -> list[Candidate] | None:
    """A CSS chain (`#list-section table tbody tr td`) heals where it broke: the first
    compound that selects nothing is re-fitted to each element that resembles it and under
    which the rest of the chain still selects something; the other compounds are kept. None
    when the locator is not such a chain (the element-level healer decides)."""
    tail = narrowing_tail(steps)
    base = steps[: len(steps) - len(tail)]
    if not base or base[-1].method != "locator" or not base[-1].args:
        return None
    split = split_chain(str(base[-1].args[0]))
    if split is None or len(split[0]) < 2:
        return None
    compounds, combinators = split
    parsed = [parse_compound(c) for c in compounds]
    context = base[:-1]
    broken = _broken_at(root, context, compounds, combinators)
    wanted = parsed[broken] if broken is not None else None
    if broken is None or wanted is None or None in parsed:
        return None
    best: dict[str, Candidate] = {}
    # the compounds that still hold are evidence too: a renamed head under which the same
    # table rows and cells still stand is likelier the same container
    intact = (len(compounds) - 1) / len(compounds)
    for candidate in _resembling(root, wanted):
        candidate.score = round(0.5 * candidate.score + 0.5 * intact, 3)
        fitted = refit(wanted, candidate.element, similarity)
        if fitted is None:
            continue
        chain = [*compounds[:broken], fitted.render(), *compounds[broken + 1 :]]
        healed = [*context, _css(chain, combinators), *tail]
        if not _selects(root, healed, action):
            continue
        candidate.replacement = render(healed)
        if candidate.replacement not in best or candidate.score > best[candidate.replacement].score:
            best[candidate.replacement] = candidate
    ranked = sorted(best.values(), key=lambda c: -c.score)
    if ranked and ranked[0].score >= THRESHOLD:
        return ranked
    moved = _relaxed(root, context, tail, (compounds, combinators, parsed), broken, action)
    return [moved] if moved else ranked


def _selects(root: Element, steps: list[Step], action: str) -> list[Element]:
    """What `steps` select when that is right for the action (one element unless it counts)."""
    try:
        found = resolve(root, steps)
    except LocatorError:
        return []
    if not found or (action not in _LIST_ACTIONS and len(found) != 1):
        return []
    return found if all(fits(e, action) for e in found) else []


def _relaxed(  # noqa: PLR0917 - the chain and where it broke
    root: Element,
    context: list[Step],
    tail: list[Step],
    chain: tuple[list[str], list[str], list[Compound | None]],
    broken: int,
    action: str,
) -> Candidate | None:
    """An element that kept what identifies it but moved: the least loosening of the chain
    that selects it again. First child and sibling combinators become descendant ones (a
    wrapper was added); then the compound that broke is dropped (a container renamed or
    gone); then everything between what still holds and the last compound. What is left
    must still name something specific: an id, a test id, a class or an attribute value."""
    compounds, combinators, parsed = chain
    loose = [" "] * len(combinators)
    last = len(compounds) - 1
    tries: list[tuple[list[int], list[str]]] = [([*range(len(compounds))], loose)]
    if broken < last:
        tries.append(([k for k in range(len(compounds)) if k != broken], loose))
    tries += [([*range(j), last], loose) for j in range(min(broken, last - 1), -1, -1)]
    for kept, joins in tries:
        if not any(_specific(parsed[k]) for k in kept):
            continue
        steps = [*context, _css([compounds[k] for k in kept], joins), *tail]
        found = _selects(root, steps, action)
        if found:
            loosened = "descendant combinators" if len(kept) == len(compounds) else "dropped"
            return Candidate(found[0], 0.75, {"moved": 1.0, loosened: 1.0}, render(steps))
    return None


def _specific(compound: Compound | None) -> bool:
    return compound is not None and bool(
        compound.id or compound.classes or any(op for _, op, _ in compound.attrs)
    )


def _broken_at(
    root: Element, context: list[Step], compounds: list[str], combinators: list[str]
) -> int | None:
    """The first compound under which the chain selects nothing (None: an earlier step)."""
    try:
        if context and not resolve(root, context):
            return None
        return next(
            k
            for k in range(len(compounds))
            if not resolve(root, [*context, _css(compounds[: k + 1], combinators)])
        )
    except (LocatorError, StopIteration):
        return None


def _resembling(root: Element, wanted: Compound) -> list[Candidate]:
    """Elements that look like the compound that broke, best first."""
    scored = []
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        per = resemblance(wanted, element, similarity)
        value = combine(per)
        if value > 0:
            scored.append(Candidate(element, value, per))
    return sorted(scored, key=lambda c: -c.score)[: TOP * 8]


def _css(compounds: list[str], combinators: list[str]) -> Step:
    return Step("locator", (join_chain(compounds, combinators[: len(compounds) - 1]),))


def rank(root: Element, wanted: dict[str, str], action: str) -> list[Candidate]:
    """Candidates by score, best first: each element once, a click retargeted to what it hits,
    and of an element and its ancestors with the same score, the deepest."""
    best: dict[Element, Candidate] = {}
    for element in root.iter():
        if not isinstance(element.tag, str) or not fits(element, action):
            continue
        candidate = score(wanted, element)
        target = click_target(element) if action in _CLICKS else element
        if candidate.score <= 0 or target is None:
            continue
        candidate.element = target
        if target not in best or candidate.score > best[target].score:
            best[target] = candidate
    ranked = sorted(best.values(), key=lambda c: -c.score)
    return [
        c
        for c in ranked
        if not any(
            o.score >= c.score and o.element in set(c.element.iterdescendants()) for o in ranked
        )
    ][: TOP * 4]


def narrowing_tail(steps: list[Step]) -> list[Step]:
    """The original's trailing filter/nth steps: a list locator stays a list locator."""
    narrowing = ("filter", "nth", "first", "last")
    last = max((i for i, s in enumerate(steps) if s.method not in narrowing), default=-1)
    return steps[last + 1 :]


def _row(candidate: Candidate) -> dict[str, object]:
    element = candidate.element
    return {
        "tag": str(element.tag),
        "score": candidate.score,
        "features": candidate.features,
        "replacement": candidate.replacement,
        "text": text_of(element)[:80],
    }
