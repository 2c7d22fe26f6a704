"""The learned second opinion: its features, its shipped weights, and when it decides."""

from __future__ import annotations

import io
import json
import math
from importlib import resources
from typing import BinaryIO

import pytest

from agent_engine.contracts import History, LogBatch
from agent_engine.taxonomy import ErrorType
from agent_engine.triage.analysis import fix_instructions, self_heal_plan
from agent_engine.triage.classify import MODEL_SURE, Classifier, LogSource, model_decides
from agent_engine.triage.model import (
    MAX_LINES,
    MODEL_CAP,
    TAIL_START,
    VERSION,
    WINDOW,
    Calibration,
    LinearModel,
    Opinion,
    Platt,
    Salient,
    features,
    salient_lines,
    tokens,
)
from agent_engine.triage.rules import load_rules
from bench.corpus import WILD, load_cases
from bench.first_look import OUT as FIRST_LOOK
from tests.builders import batch, text_log

# A log no rule knows: a failed upload answered 401 by a tool nobody wrote a rule for.
SILENT = (
    "Run dandi upload --existing refresh",
    "2026-01-01 12:00:00 [ ERROR] upload refused (401, unauthorized) for https://x",
    "Error: Process completed with exit code 1.",
)


def toy_model() -> LinearModel:
    return LinearModel(
        {
            "version": VERSION,
            "classes": ["auth_failed", "network_flake", "unknown"],
            "bias": [0.0, 0.2, 0.1],
            "weights": {"401": {"0": 2.0}, "unauthorized": {"0": 1.0}, "reset": {"1": 3.0}},
        }
    )


def test_tokens_blur_numbers_but_keep_three_digit_codes() -> None:
    assert tokens("HTTPError: 401 at 12:00:00, pid 31337, exit 137") == [
        "httperror", "401", "at", "N", "N", "N", "pid", "N", "exit", "137"
    ]  # fmt: skip
    assert {"error 401", "401", "error"} <= features(["Error 401"])


def test_the_words_inside_identifiers_are_features_of_their_own() -> None:
    found = features(["androidx.test.espresso.NoMatchingViewException: HTTPError"])
    assert {"~matching", "~view", "~exception", "~http", "~error"} <= found
    assert "~no" not in found  # two letters say too little
    assert features(["connection_refused"]) >= {"connection_refused", "~connection", "~refused"}


def test_an_opinion_is_the_softmax_of_bias_and_present_weights() -> None:
    line = Salient("ci.log", 3, "HTTP 401 Unauthorized", "HTTP 401 Unauthorized")
    opinion = toy_model().opinion([line])
    assert opinion.error_type is ErrorType.AUTH_FAILED
    assert opinion.strongest == ["401", "unauthorized"]
    assert abs(sum(opinion.probabilities.values()) - 1) < 1e-9
    assert opinion == toy_model().opinion([line])  # deterministic


def test_a_normalised_model_weighs_each_feature_by_one_over_root_n() -> None:
    """Trained on rows of unit length, the model divides the weights present by the square
    root of how many distinct features the lines have, those it has no weight for included."""
    data = {
        "version": VERSION,
        "classes": ["auth_failed", "network_flake"],
        "bias": [0.0, 0.0],
        "weights": {"401": {"0": 2.0}},
        "normalise": True,
    }
    short = Salient("ci.log", 1, "401", "401")
    long = Salient("ci.log", 1, "401 while fetching the nightly report", "401 while fetching")
    model = LinearModel(data)
    n = len(features([long.context]))
    expected = 1 / (1 + math.exp(-2.0 / math.sqrt(n)))
    assert abs(model.opinion([long]).probability - expected) < 1e-4
    assert model.opinion([short]).probability > model.opinion([long]).probability
    raw = LinearModel({**data, "normalise": False})
    assert abs(raw.opinion([long]).probability - 1 / (1 + math.exp(-2.0))) < 1e-4


def test_the_shipped_model_is_small_versioned_and_names_real_types() -> None:
    text = resources.files("agent_engine.triage").joinpath("model.json").read_text()
    data = json.loads(text)
    assert data["version"] == VERSION
    # about 6.3 features a training case at 2 decimals: 398,000 characters at 1,691 cases, at
    # the guard: more training cases need a higher pruning threshold (bench train)
    assert len(text) < 400_000
    assert {ErrorType(c) for c in data["classes"]} >= {ErrorType.AUTH_FAILED}
    assert "never-tuned" not in data["trained_on"]
    assert "tuned split" in data["trained_on"]
    LinearModel.builtin()


class _Counted(io.BytesIO):
    """A log in memory that counts the bytes read from it; optionally not seekable (a pipe)."""

    def __init__(self, data: bytes, seekable: bool = True) -> None:
        super().__init__(data)
        self.read_bytes, self._seekable = 0, seekable

    def seekable(self) -> bool:
        return self._seekable

    def read(self, size: int | None = -1) -> bytes:
        block = super().read(size)
        self.read_bytes += len(block)
        return block


def _log(lines: int, every: int) -> bytes:
    return b"".join(
        b"step %07d: upload failed\n" % i if i % every == 0 else b"step %07d: fine\n" % i
        for i in range(1, lines + 1)
    )


def _seen(found: list[Salient]) -> list[tuple[str, int, str, str]]:
    return [(s.log, s.line, s.text, s.context) for s in found]


@pytest.mark.parametrize("lines_known", [False, True])
def test_a_long_log_is_read_from_both_ends_to_the_same_salient_lines(lines_known: bool) -> None:
    """A log over twice TAIL_START is not read through: its head up to the first salient
    lines, then back from its end; what it yields is what reading it through yields, line
    numbers included (counted, or told by the first read)."""
    short, long = _log(40, 3), _log(300_000, 97)
    assert 2 * TAIL_START < len(long) < 2 * WINDOW

    def streams(seekable: bool) -> list[tuple[str, BinaryIO]]:
        return [(n, _Counted(d, seekable)) for n, d in (("a", short), ("b", long), ("c", short))]

    through = salient_lines(streams(seekable=False))
    told = [40, 300_000, 40] if lines_known else []
    ends = streams(seekable=True)
    assert _seen(salient_lines(ends, told)) == _seen(through)
    assert len(through) == MAX_LINES
    assert through[-1].line == 39
    assert through[-2].log == "c"
    assert ("b", 299_924) in {(s.log, s.line) for s in through}  # 97 * 3092
    if lines_known:
        assert ends[1][1].read_bytes < len(long) / 2  # type: ignore[attr-defined]


def test_a_very_long_log_is_read_within_a_window_at_each_end() -> None:
    data = _log(1_400_000, 5_001)  # about 27 MB, a salient line every 5,001
    assert len(data) > 2 * WINDOW
    stream = _Counted(data)
    found = salient_lines([("ci.log", stream)], [1_400_000])
    assert stream.read_bytes <= 2 * WINDOW
    lines = [s.line for s in found]
    assert lines == sorted(lines)
    assert lines[0] == 5_001
    assert lines[-1] == 1_395_279
    assert all(s.text == f"step {s.line:07d}: upload failed" for s in found)
    assert not any(500_000 < n < 900_000 for n in lines)  # the middle is not read


def test_silent_rules_let_the_model_decide_and_say_so() -> None:
    rules = load_rules()
    alone = Classifier(rules, model=None).classify([text_log("ci.log", *SILENT)])
    assert alone.error_type is ErrorType.UNKNOWN
    assert alone.decided_by == "rules"
    verdict = Classifier(rules, model=toy_model()).classify([text_log("ci.log", *SILENT)])
    assert verdict.error_type is ErrorType.AUTH_FAILED
    assert verdict.decided_by == "model"
    assert verdict.model_tokens[:2] == ["401", "unauthorized"]
    assert verdict.confidence <= 0.85
    (top, *_) = verdict.evidence
    assert (top.rule_id, top.line) == ("model.linear", 2)
    assert "learned model" in verdict.summary
    body = LogBatch.model_validate(batch())
    assert not self_heal_plan(body, verdict, _history()).eligible
    assert "learned model alone" in self_heal_plan(body, verdict, _history()).reason
    assert not fix_instructions(verdict).applicable


PASSED_JUNIT = """<?xml version="1.0" encoding="utf-8"?><testsuites><testsuite name="pytest">
<testcase classname="tests.test_upload" name="test_refresh" time="0.5" />
<testcase classname="tests.test_upload" name="test_later" time="0.1"><skipped message="not yet" /></testcase>
</testsuite></testsuites>"""


def test_reports_whose_tests_all_passed_leave_the_model_silent() -> None:
    log = text_log("ci.log", *SILENT)
    passed = Classifier(load_rules(), toy_model()).classify(
        [log], [LogSource.from_text("junit.xml", PASSED_JUNIT)]
    )
    assert (passed.error_type, passed.decided_by) == (ErrorType.UNKNOWN, "rules")
    failed = PASSED_JUNIT.replace(
        '<testcase classname="tests.test_upload" name="test_refresh" time="0.5" />',
        '<testcase classname="tests.test_upload" name="test_refresh" time="0.5">'
        '<failure message="upload refused">upload refused</failure></testcase>',
    )
    verdict = Classifier(load_rules(), toy_model()).classify(
        [text_log("ci.log", *SILENT)], [LogSource.from_text("junit.xml", failed)]
    )
    assert (verdict.error_type, verdict.decided_by) == (ErrorType.AUTH_FAILED, "model")


@pytest.mark.parametrize(
    ("passed", "failed"),
    [
        ("60 passed, 53 warnings in 14.87s", "1 failed, 59 passed, 53 warnings in 15.02s"),
        ("======== 12 passed, 1 skipped in 3.20s ========", "======== 2 errors in 0.91s ========"),
        ("  56 passed (3.6m)", "  1 failed"),
        ("Tests:       1315 passed, 1315 total", "Tests:       1 failed, 1314 passed, 1315 total"),
        ("42 examples, 0 failures", "42 examples, 3 failures"),
    ],
)
def test_runner_summaries_that_all_passed_leave_the_model_silent(passed: str, failed: str) -> None:
    """Runs whose runners said every test passed failed elsewhere (a lint, a deploy step): the
    warnings they print are no evidence of a test failure's cause."""
    classifier = Classifier(load_rules(), toy_model())
    quiet = classifier.classify([text_log("ci.log", *SILENT, passed)])
    assert (quiet.error_type, quiet.decided_by) == (ErrorType.UNKNOWN, "rules")
    loud = classifier.classify([text_log("ci.log", *SILENT, passed, failed)])
    assert (loud.error_type, loud.decided_by) == (ErrorType.AUTH_FAILED, "model")


def test_solid_rules_are_not_second_guessed() -> None:
    log = text_log("ci.log", "psycopg.OperationalError: connection refused", "HTTP 401")
    verdict = Classifier(load_rules(), model=toy_model()).classify([log])
    assert verdict.decided_by == "rules"
    assert verdict.model_tokens == []


# A bare traceback: the rules read a weak backend_exception (0.4) from it.
TRACEBACK = (
    "Traceback (most recent call last):",
    '  File "x.py", line 3, in <module>',
    "KeyError: 'x'",
)


def one_sided(error_type: str) -> LinearModel:
    """A model that reads a KeyError as `error_type`, on two words."""
    return LinearModel(
        {
            "version": VERSION,
            "classes": [error_type, "unknown"],
            "bias": [0.0, 0.0],
            "weights": {"keyerror": {"0": 3.0}, "~key": {"0": 1.0}},
        }
    )


def test_weak_rules_give_way_to_a_model_naming_an_earlier_cause() -> None:
    weak = Classifier(load_rules(), model=None).classify([text_log("ci.log", *TRACEBACK)])
    assert (weak.error_type, weak.decided_by) == (ErrorType.BACKEND_EXCEPTION, "rules")
    assert weak.confidence < 0.5
    verdict = Classifier(load_rules(), one_sided("migration_failed")).classify(
        [text_log("ci.log", *TRACEBACK)]
    )
    assert (verdict.error_type, verdict.decided_by) == (ErrorType.MIGRATION_FAILED, "model")
    assert verdict.model_tokens[:2] == ["keyerror", "~key"]
    # the overruled reading is kept: its type as an alternative, its lines as evidence
    assert verdict.alternatives[0].error_type is ErrorType.BACKEND_EXCEPTION
    assert verdict.alternatives[0].confidence <= verdict.confidence
    assert verdict.evidence[0].rule_id == "model.linear"
    assert "py.traceback" in {e.rule_id for e in verdict.evidence}


def test_weak_rules_keep_their_cause_against_a_symptom_the_model_reads() -> None:
    verdict = Classifier(load_rules(), one_sided("locator_not_found")).classify(
        [text_log("ci.log", *TRACEBACK)]
    )
    assert (verdict.error_type, verdict.decided_by) == (ErrorType.BACKEND_EXCEPTION, "rules")
    assert verdict.model_tokens[:2] == ["keyerror", "~key"]  # heard, recorded, not followed


# npm's lifecycle failure: the rules read a weak dependency_install_failed (0.45) from it.
NPM = (
    "npm ERR! code ELIFECYCLE",
    "npm ERR! shop@1.0.0 test: `tap test/*.js`",
    "npm ERR! Exit status 1",
)


def test_a_sibling_type_overrules_weak_rules_only_when_the_model_is_surer() -> None:
    def sibling(bias: float) -> LinearModel:  # browser_not_installed: as early in the chain
        weights = {"npm": {"0": 0.5}, "exit": {"0": 0.5}}
        classes = ["browser_not_installed", "unknown"]
        return LinearModel(
            {"version": VERSION, "classes": classes, "bias": [bias, 0.0], "weights": weights}
        )

    raw = Classifier(load_rules(), model=None, calibration=None).classify(
        [text_log("ci.log", *NPM)]
    )
    assert (raw.error_type, raw.confidence) == (ErrorType.DEPENDENCY_INSTALL_FAILED, 0.45)
    unsure = Classifier(load_rules(), sibling(-2.0)).classify([text_log("ci.log", *NPM)])
    assert (unsure.error_type, unsure.decided_by) == (ErrorType.DEPENDENCY_INSTALL_FAILED, "rules")
    sure = Classifier(load_rules(), sibling(1.0)).classify([text_log("ci.log", *NPM)])
    assert (sure.error_type, sure.decided_by) == (ErrorType.BROWSER_NOT_INSTALLED, "model")


# A failed comparison after a bare traceback: the rules read a solid assertion_failed (0.75),
# and a backend_exception (0.33) as their alternative.
ASSERTION = (
    "Traceback (most recent call last):",
    '  File "app/rows.py", line 3, in <module>',
    "KeyError: 'rows'",
    "E       assert 2 == 3",
    " +  where 2 = len(rows)",
    "FAILED tests/test_rows.py::test_rows - assert 2 == 3",
)


def reads_rows_as(error_type: str, bias: float) -> LinearModel:
    """A model that reads `rows` and `len` as `error_type`, as sure as `bias` makes it."""
    return LinearModel(
        {
            "version": VERSION,
            "classes": [error_type, "unknown"],
            "bias": [bias, 0.0],
            "weights": {"rows": {"0": 0.5}, "len": {"0": 0.5}},
        }
    )


def test_solid_rules_give_way_only_to_a_sure_model_naming_an_earlier_cause_they_read() -> None:
    raw = Classifier(load_rules(), model=None, calibration=None).classify(
        [text_log("ci.log", *ASSERTION)]
    )
    assert (raw.error_type, raw.confidence) == (ErrorType.ASSERTION_FAILED, 0.75)
    assert [(a.error_type, a.confidence) for a in raw.alternatives] == [
        (ErrorType.BACKEND_EXCEPTION, 0.33)
    ]

    def read(model: LinearModel) -> tuple[ErrorType, str]:
        verdict = Classifier(load_rules(), model).classify([text_log("ci.log", *ASSERTION)])
        return verdict.error_type, verdict.decided_by

    def sure(model: LinearModel) -> float:
        return model.opinion([Salient("", 1, "rows", " ".join(ASSERTION))]).probability

    assert sure(reads_rows_as("backend_exception", 2.0)) > MODEL_SURE
    assert read(reads_rows_as("backend_exception", 2.0)) == (ErrorType.BACKEND_EXCEPTION, "model")
    # prefers it, under MODEL_SURE: the rules stand
    assert sure(reads_rows_as("backend_exception", -0.6)) < MODEL_SURE
    assert read(reads_rows_as("backend_exception", -0.6)) == (ErrorType.ASSERTION_FAILED, "rules")
    # an earlier cause the rules did not read: the model does not bring it
    assert read(reads_rows_as("seed_data_missing", 2.0)) == (ErrorType.ASSERTION_FAILED, "rules")
    # as late in the chain as the rules' type: no earlier cause
    assert read(reads_rows_as("locator_not_found", 2.0)) == (ErrorType.ASSERTION_FAILED, "rules")


def test_platt_scaling_is_a_monotone_map_of_the_raw_score() -> None:
    assert abs(Platt()(0.7) - 0.7) < 1e-9  # slope 1, intercept 0: the identity
    sharper = Platt(slope=2.0, intercept=-1.0)
    raw = [0.1, 0.3, 0.5, 0.7, 0.9, 0.99]
    mapped = [sharper(r) for r in raw]
    assert mapped == sorted(mapped)
    assert mapped[2] < 0.5 < mapped[4]  # it moves the scale, not only the ends
    assert Platt(500, 5)(1.0) <= 1  # no overflow at the ends
    assert Platt(500, -5)(0.0) >= 0


def test_calibration_keeps_the_confident_band_for_the_rules() -> None:
    generous = Calibration(Platt(1.0, 3.0), Platt(1.0, 3.0))
    assert generous(0.9, "rules") == 0.99
    assert generous(0.9, "both") == 0.99  # rules the model agreed with
    assert generous(0.9, "model") == MODEL_CAP
    assert Calibration(Platt(1.0, -9.0), Platt())(0.5) == 0.05
    nan = float("nan")
    assert Calibration(Platt(), Platt())(nan) == 0.05  # no score claims nothing
    assert Calibration(Platt(slope=nan), Platt())(0.9) == 0.05  # nor does a broken map
    assert Calibration(Platt(), Platt(intercept=nan))(0.9, "model") == 0.05


def test_calibration_never_lifts_weak_evidence() -> None:
    generous = Calibration(Platt(0.5, 2.0, agree=1.0, agree_share=0.8), Platt())
    assert generous(0.3, "rules") == 0.3  # `unknown`, a bare traceback: not raised
    assert generous(0.2, "rules", agrees=True) == 0.2
    assert generous(0.6, "rules") > 0.9  # a verdict's score is mapped
    strict = Calibration(Platt(1.0, -3.0), Platt())
    assert strict(0.3, "rules") < 0.3  # weak evidence may be lowered


def test_the_verdict_carries_the_calibrated_confidence_everywhere() -> None:
    log = text_log(
        "ci.log",
        'psycopg.OperationalError: connection to server at "127.0.0.1", port 5432 failed: '
        "Connection refused",
        "E   playwright._impl._errors.TimeoutError: Locator.click: Timeout 5000ms exceeded.",
    )
    shrink = Calibration(Platt(1.0, -1.0), Platt())
    raw = Classifier(load_rules(), calibration=None).classify([log])
    verdict = Classifier(load_rules(), calibration=shrink).classify([log])
    assert verdict.error_type is raw.error_type is ErrorType.DATABASE_UNAVAILABLE
    assert verdict.confidence == shrink(raw.confidence) < raw.confidence
    assert f"({verdict.confidence:.0%})" in verdict.summary
    assert [a.confidence for a in verdict.alternatives] == [
        shrink(a.confidence) for a in raw.alternatives
    ]


def test_a_rules_verdict_the_model_agrees_with_is_more_confident() -> None:
    log = text_log("ci.log", "E   AssertionError: 401 Unauthorized: Bad credentials")
    weighs_agreement = Calibration(Platt(1.0, 0.0, agree=2.0, agree_share=0.5), Platt())
    disagreeing = LinearModel(
        {
            "version": VERSION,
            "classes": ["auth_failed", "network_flake"],
            "bias": [0.0, 0.0],
            "weights": {"401": {"1": 5.0}},
        }
    )
    agreed = Classifier(load_rules(), toy_model(), weighs_agreement).classify([log])
    disputed = Classifier(load_rules(), disagreeing, weighs_agreement).classify([log])
    unknown = Classifier(load_rules(), None, weighs_agreement).classify([log])
    assert agreed.error_type is disputed.error_type is ErrorType.AUTH_FAILED
    assert agreed.decided_by == disputed.decided_by == "rules"  # the rules decided both
    assert disputed.confidence < unknown.confidence < agreed.confidence
    assert agreed.confidence == weighs_agreement(0.8, "rules", agrees=True)


def test_the_shipped_calibration_was_fitted_without_the_never_tuned_split() -> None:
    shipped = LinearModel.builtin().calibration
    assert shipped is not None
    assert "before any rule was tuned" in shipped.fitted_on
    assert shipped.rules.agree > 0  # fitted: agreement of a held-out model made verdicts right
    assert shipped(0.99) > shipped(0.5)
    first_look = json.loads(FIRST_LOOK.read_text(encoding="utf-8"))
    wild = load_cases(WILD)
    assert set(first_look) == {c.name for c in wild if c.split == "tuned"}
    assert all(len(seen["code"]) == 12 for seen in first_look.values())
    assert all(isinstance(seen["evidence"], list) for seen in first_look.values())


def _history() -> History:
    return History()


def _opinion(first: float, second: float) -> Opinion:
    return Opinion(
        error_type=ErrorType.DEPENDENCY_INSTALL_FAILED,
        probability=first,
        strongest=["traceback", "most"],
        probabilities={
            ErrorType.DEPENDENCY_INSTALL_FAILED: first,
            ErrorType.ASSERTION_FAILED: second,
        },
    )


@pytest.mark.parametrize(
    ("first", "second", "rules", "decides"),
    [
        (0.18, 0.177, ErrorType.BACKEND_EXCEPTION, False),  # a coin flip keeps the weak rules
        (0.40, 0.177, ErrorType.BACKEND_EXCEPTION, True),  # a clear preference, earlier cause
        (0.18, 0.177, ErrorType.UNKNOWN, True),  # silent rules: any opinion beats none
    ],
)
def test_the_model_overrules_weak_rules_only_on_a_clear_preference(
    first: float, second: float, rules: ErrorType, decides: bool
) -> None:
    assert model_decides(rules, 0.3, _opinion(first, second)) is decides
