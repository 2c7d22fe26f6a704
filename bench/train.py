"""Train the learned second opinion (agent_engine/triage/model.json) and report how it does.

Trained on the corpus and the wild set's tuned split; never on the held-out set or the wild
set's never-tuned split, which it is then measured on. Grouped cross-validation keeps every
repository's cases in one fold.

The calibration shipped with it (Platt scaling, one map for the rules and one for the model) is
fitted only on verdicts made without the case: the model's on the held-out folds, the rules'
on the wild tuned cases as the rules stood before any was tuned on them
(`tests/fixtures/wild/first_look.json`, written by `python -m bench first-look`). The rules'
verdicts on the material they were written from are right nearly always and would teach the
calibration nothing about a new project. Needs scikit-learn: pip install -e '.[train]'.
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from agent_engine.taxonomy import ErrorType
from agent_engine.triage import model as learned
from agent_engine.triage.classify import WEAK, Classifier, model_decides, rules_read
from agent_engine.triage.rules import load_rules
from bench.accuracy import BINS
from bench.corpus import CORPUS, HOLDOUT, WILD, Case, load_cases
from bench.first_look import OUT as FIRST_LOOK

OUT = Path(learned.__file__).with_name("model.json")
MIN_CASES = 2  # a feature must appear in this many training cases
C = 30.0  # on rows of unit length (see `_row`)
PRUNE = 0.3


def case_lines(case: Case) -> list[learned.Salient]:
    """The salient lines of a case's logs and reports, as the classifier reads them."""
    paths = sorted([*case.path.glob("*.log"), *case.path.glob("*.xml")])
    with ExitStack() as stack:
        return learned.salient_lines((str(p), stack.enter_context(p.open("rb"))) for p in paths)


def case_features(case: Case) -> set[str]:
    return learned.features(s.context for s in case_lines(case))


def group_of(case: Case) -> str:
    if case.repository:
        return case.repository.lower()
    found = re.match(r"https://github\.com/([^/]+/[^/#?]+)", case.source)
    return found[1].lower() if found else case.source


def _row(features: set[str], counts: Counter[str] | None = None) -> dict[str, float]:
    """A case's features, each weighing 1/sqrt(n) for the n distinct features its lines have
    (those too rare to be kept count in n as well, as they do at inference), so that a long
    log's many words do not outweigh a short log's few."""
    weight = 1.0 / math.sqrt(len(features)) if features else 0.0
    return {f: weight for f in features if counts is None or counts[f] >= MIN_CASES}


def _document(vec: Any, clf: Any, trained_on: str) -> dict[str, Any]:
    """The fitted model as model.json holds it: sparse weights, small ones pruned."""
    names = vec.get_feature_names_out()
    weights = {}
    for j, name in enumerate(names):
        column = {
            str(k): round(float(clf.coef_[k][j]), 2)  # a hundredth moves no verdict
            for k in range(len(clf.classes_))
            if abs(clf.coef_[k][j]) >= PRUNE
        }
        if column:
            weights[str(name)] = column  # sparse: class index -> weight
    return {
        "version": learned.VERSION,
        "trained_on": trained_on,
        "classes": [str(c) for c in clf.classes_],
        "bias": [round(float(b), 4) for b in clf.intercept_],
        "normalise": True,
        "weights": dict(sorted(weights.items())),
    }


def _fit(rows: list[set[str]], labels: list[str], index: list[int]) -> tuple[Any, Any]:
    from sklearn.feature_extraction import DictVectorizer  # noqa: PLC0415 - a dev extra
    from sklearn.linear_model import LogisticRegression  # noqa: PLC0415

    counts = Counter(f for i in index for f in rows[i])
    vec = DictVectorizer()
    x = vec.fit_transform([_row(rows[i], counts) for i in index])
    clf = LogisticRegression(C=C, max_iter=5000).fit(x, [labels[i] for i in index])
    return vec, clf


# (raw confidence, whether a model not trained on the case named the same type, right)
Point = tuple[float, bool, bool]


def _platt(points: list[Point], with_agreement: bool) -> dict[str, float]:
    """P(right) = sigmoid(a * logit(raw) [+ b * agrees] + c), fitted by logistic regression."""
    from sklearn.linear_model import LogisticRegression  # noqa: PLC0415

    x = [
        [learned.logit(r), float(a)] if with_agreement else [learned.logit(r)] for r, a, _ in points
    ]
    fitted = LogisticRegression(C=1e4, max_iter=5000).fit(x, [int(ok) for *_, ok in points])
    found = {
        "slope": round(float(fitted.coef_[0][0]), 4),
        "intercept": round(float(fitted.intercept_[0]), 4),
    }
    if with_agreement:
        found["agree"] = round(float(fitted.coef_[0][1]), 4)
        found["agree_share"] = round(sum(a for _, a, _ in points) / len(points), 4)
    return found


@dataclass
class Points:
    """What the held-out folds teach the calibration, and who was right when weak rules and a
    held-out model disagreed."""

    model: list[Point]  # the model's verdicts on held-out folds
    rules: list[Point]  # the rules' first look, with a held-out model's agreement
    overruled: Counter[str]  # first looks a held-out model overrules: who was right


def _hard(seen: dict[str, Any] | None) -> bool:
    """A first look the model had to answer: the rules silent or weak, or the model's own."""
    return seen is not None and (
        seen["decided_by"] == "model"
        or seen["verdict"] == ErrorType.UNKNOWN.value
        or float(seen["confidence"]) < WEAK
    )


def _held_out(
    classifier: Classifier, cases: list[Case], first: dict[str, Any], points: Points
) -> None:
    """The fold's verdicts and first looks, read by a classifier whose model never saw them."""
    model = classifier.model
    assert model is not None
    for case in cases:
        verdict = classifier.classify(case.logs(), case.junit())
        if verdict.decided_by == "model":
            points.model.append((verdict.confidence, True, verdict.error_type.value == case.label))
        seen = first.get(case.name)
        if seen is None or seen["verdict"] == ErrorType.UNKNOWN.value:
            continue
        ok = seen["verdict"] == case.label
        if seen["decided_by"] == "model":
            points.model.append((float(seen["confidence"]), True, ok))
            continue
        opinion = model.opinion(case_lines(case))
        # as the classifier decides: on the rules' raw score and, for solid rules, only toward
        # a type the rules read too
        raw = float(seen["rules"][1]) if "rules" in seen else float(seen["confidence"])
        read = rules_read(seen.get("alternatives", []))
        if model_decides(ErrorType(seen["verdict"]), raw, opinion, read):
            kind = "weak" if raw < WEAK else "solid"
            points.overruled[f"{kind} cases"] += 1
            points.overruled[f"{kind} rules"] += ok
            points.overruled[f"{kind} model"] += opinion.error_type.value == case.label
        agrees = model.names(seen["evidence"]) == ErrorType(seen["verdict"])
        points.rules.append((float(seen["confidence"]), agrees, ok))


def _reliability(title: str, points: list[Point], calibrate: Any) -> None:
    print(f"  {title}: {len(points)} verdicts")
    print(f"    {'band':<12}{'n':>5}{'right':>8}{'mean calibrated':>17}")
    for low, high in BINS:
        inside = [(calibrate(r, a), ok) for r, a, ok in points if low <= calibrate(r, a) < high]
        if inside:
            right = sum(ok for _, ok in inside) / len(inside)
            mean = sum(c for c, _ in inside) / len(inside)
            print(
                f"    [{low:.1f}, {min(high, 1.0):.1f}){len(inside):>6}{right:>8.1%}{mean:>17.2f}"
            )


def main() -> int:
    from sklearn.model_selection import GroupKFold  # noqa: PLC0415 - a dev extra

    train = load_cases(CORPUS) + [c for c in load_cases(WILD) if c.split == "tuned"]
    rows = [case_features(c) for c in train]
    counts = Counter(f for row in rows for f in row)
    labels = [c.label for c in train]
    groups = [group_of(c) for c in train]
    print(
        f"training cases {len(train)} from {len(set(groups))} repositories; "
        f"features seen in >= {MIN_CASES} cases: {sum(n >= MIN_CASES for n in counts.values())}"
    )

    rules = load_rules()
    first = json.loads(FIRST_LOOK.read_text(encoding="utf-8"))
    right = 0
    model_points: list[Point] = []  # the model's verdicts on held-out folds
    rules_points: list[Point] = []  # the rules' first look, with a held-out model's agreement
    overruled = Counter[str]()
    hard = [0, 0]  # right, cases: where the rules' first look was silent, weak or the model's
    for fold, (fit, test) in enumerate(GroupKFold(n_splits=5).split(rows, labels, groups)):
        vec, clf = _fit(rows, labels, list(fit))
        # the model as it would ship (small weights pruned), on the fold it did not see
        fold_model = learned.LinearModel(_document(vec, clf, "fold"))
        ok = {
            i: fold_model.opinion(case_lines(train[i])).error_type.value == labels[i] for i in test
        }
        fold_right = sum(ok.values())
        right += fold_right
        hard_cases = [i for i in test if _hard(first.get(train[i].name))]
        hard[0] += sum(ok[i] for i in hard_cases)
        hard[1] += len(hard_cases)
        # the whole classifier, with this fold's model, on the fold it did not see
        _held_out(
            Classifier(rules, fold_model, calibration=None),
            [train[i] for i in test],
            first,
            Points(model_points, rules_points, overruled),
        )
        print(f"  fold {fold + 1}: {fold_right}/{len(test)} right (no repository in two folds)")
    print(
        f"grouped 5-fold cross-validation, the model alone: {right}/{len(train)} "
        f"({right / len(train):.1%})"
    )
    print(
        f"  on the cases where the rules' first look was silent or weak (the model's share): "
        f"{hard[0]}/{hard[1]} ({hard[0] / max(hard[1], 1):.1%})"
    )
    for agrees in (True, False):
        some = [ok for _, a, ok in rules_points if a is agrees]
        print(
            f"the rules' first look where a held-out model {'agrees' if agrees else 'disagrees'}:"
            f" {sum(some)}/{len(some)} right"
        )

    for kind, title in (("weak", f"under {WEAK:.0%}"), ("solid", f"{WEAK:.0%} or more")):
        print(
            f"first looks ({title}) a held-out model overrules: "
            f"{overruled[kind + ' cases']}; the rules right {overruled[kind + ' rules']}, "
            f"the model right {overruled[kind + ' model']}"
        )
    calibration = {
        "rules": _platt(rules_points, with_agreement=True),
        "model": _platt(model_points, with_agreement=False),
        "fitted_on": (
            f"rules: {len(rules_points)} verdicts on wild tuned cases before any rule was tuned "
            "on them, with whether a model not trained on the case named the same type from "
            f"the evidence lines; model: {len(model_points)} verdicts it made on cases it was "
            "not trained on"
        ),
    }
    fitted_calibration = learned.Calibration.from_json(calibration)
    print(f"calibration (Platt): {calibration}")
    _reliability(
        "the rules' first look", rules_points, lambda r, a: fitted_calibration(r, "rules", a)
    )
    _reliability(
        "the model's held-out verdicts",
        model_points,
        lambda r, _: fitted_calibration(r, "model"),
    )

    vec, clf = _fit(rows, labels, list(range(len(train))))
    document = _document(
        vec, clf, f"{len(train)} cases: tests/fixtures/corpus and the wild set's tuned split"
    )
    document["calibration"] = calibration
    OUT.write_text(json.dumps(document, separators=(",", ":")) + "\n", encoding="utf-8")
    print(f"wrote {OUT} ({OUT.stat().st_size / 1024:.0f} KB, {len(document['weights'])} features)")

    fitted = learned.LinearModel(document)
    for title, cases in (
        ("held-out set", load_cases(HOLDOUT)),
        ("wild never-tuned split", [c for c in load_cases(WILD) if c.split == "untuned"]),
    ):
        hits = sum(
            fitted.opinion(case_lines(case)).error_type is ErrorType(case.label) for case in cases
        )
        print(f"the model alone on the {title}: {hits}/{len(cases)} ({hits / len(cases):.1%})")
    return 0
