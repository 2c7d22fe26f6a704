"""Train the learned second opinion (agent_engine/triage/model.json) and report how it does.

Trained on the corpus and the wild set's tuned split; never on the held-out set or the wild
set's never-tuned split, which it is then measured on. Grouped cross-validation keeps every
repository's cases in one fold. Needs scikit-learn: pip install -e '.[train]'.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from contextlib import ExitStack
from pathlib import Path

from agent_engine.taxonomy import ErrorType
from agent_engine.triage import model as learned
from bench.corpus import CORPUS, HOLDOUT, WILD, Case, load_cases

OUT = Path(learned.__file__).with_name("model.json")
MIN_CASES = 2  # a feature must appear in this many training cases
C = 1.0
PRUNE = 0.05


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


def main() -> int:
    from sklearn.feature_extraction import DictVectorizer  # noqa: PLC0415 - a dev extra
    from sklearn.linear_model import LogisticRegression  # noqa: PLC0415
    from sklearn.model_selection import GroupKFold  # noqa: PLC0415

    train = load_cases(CORPUS) + [c for c in load_cases(WILD) if c.split == "tuned"]
    rows = [case_features(c) for c in train]
    counts = Counter(f for row in rows for f in row)
    kept = [{f: 1 for f in row if counts[f] >= MIN_CASES} for row in rows]
    labels = [c.label for c in train]
    groups = [group_of(c) for c in train]
    print(
        f"training cases {len(train)} from {len(set(groups))} repositories; "
        f"features seen in >= {MIN_CASES} cases: {sum(n >= MIN_CASES for n in counts.values())}"
    )

    right = 0
    for fold, (fit, test) in enumerate(GroupKFold(n_splits=5).split(kept, labels, groups)):
        vec = DictVectorizer()
        x = vec.fit_transform([kept[i] for i in fit])
        clf = LogisticRegression(C=C, max_iter=5000).fit(x, [labels[i] for i in fit])
        guess = clf.predict(vec.transform([kept[i] for i in test]))
        fold_right = sum(g == labels[i] for g, i in zip(guess, test, strict=True))
        right += fold_right
        print(f"  fold {fold + 1}: {fold_right}/{len(test)} right (no repository in two folds)")
    print(
        f"grouped 5-fold cross-validation, the model alone: {right}/{len(train)} "
        f"({right / len(train):.1%})"
    )

    vec = DictVectorizer()
    x = vec.fit_transform(kept)
    clf = LogisticRegression(C=C, max_iter=5000).fit(x, labels)
    names = vec.get_feature_names_out()
    weights = {}
    for j, name in enumerate(names):
        column = {
            str(k): round(float(clf.coef_[k][j]), 4)
            for k in range(len(clf.classes_))
            if abs(clf.coef_[k][j]) >= PRUNE
        }
        if column:
            weights[str(name)] = column  # sparse: class index -> weight
    document = {
        "version": learned.VERSION,
        "trained_on": f"{len(train)} cases: tests/fixtures/corpus and the wild set's tuned split",
        "classes": [str(c) for c in clf.classes_],
        "bias": [round(float(b), 4) for b in clf.intercept_],
        "weights": dict(sorted(weights.items())),
    }
    OUT.write_text(json.dumps(document, separators=(",", ":")) + "\n", encoding="utf-8")
    print(f"wrote {OUT} ({OUT.stat().st_size / 1024:.0f} KB, {len(weights)} features)")

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
