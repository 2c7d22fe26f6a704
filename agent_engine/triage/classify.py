"""The verdict: the root cause of a failed run, with evidence, confidence and a signature."""

from __future__ import annotations

import functools
import io
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, BinaryIO

from agent_engine.contracts import (
    Alternative,
    Classification,
    Evidence,
    FailedTest,
    LogLine,
    TestOutcome,
)
from agent_engine.errors import InputError
from agent_engine.taxonomy import TAXONOMY, ErrorType
from agent_engine.triage.failures import EXTRACTORS, FailureCollector
from agent_engine.triage.junit import Case, read_report
from agent_engine.triage.model import (
    MODEL_CAP,
    Calibration,
    LinearModel,
    Opinion,
    Salient,
    features,
    salient_lines,
)
from agent_engine.triage.redact import redact
from agent_engine.triage.rules import Effect, Rule
from agent_engine.triage.scan import Hit, Scanner, ScanStats
from agent_engine.triage.signature import signature

SOLID = 0.6  # a type whose score reaches this has solid evidence
WEAK = 0.5  # under this (or unknown), the learned second opinion is asked (above: MODEL_SURE)
# The model decides whenever the rules are silent or weak and it prefers a type on more than one
# word and names a cause earlier than the weak rules' (never a symptom of their cause), or as
# early and it is surer than they are: for a failed run an `unknown` is never right, and on
# first looks at new projects, where weak rules and a model not trained on the case disagreed
# so, the model was right far more often than the rules (`python -m bench train` counts it).
# One word (`make`) is a guess, not evidence. Its probability is the confidence (low ones are
# common); self-heal does not act on it alone.
MODEL_MIN_WORDS = 2  # one word (`make`) is not evidence enough for the model to name a type
MODEL_MIN_LEAD = 0.05  # a type barely preferred over the next (0.18 to 0.17) overrules no rule
# A model this sure of a cause earlier in the chain than solid rules' overrules them too, where
# the rules read that cause as well (an alternative of at least BACKED): an assertion that failed
# because the server answered 500 a few lines above it. On the wild tuned cases' first looks
# (the rules as they stood before any was written from the case, a model not trained on the
# case's repository), that overruled 2 solid verdicts, the model right in both (`bench train`);
# without asking that the rules read it too, 11, the model right in 9, the rules in 2, but
# reading words alone it then overrules look-alikes the rules had discounted (a refusal the
# retry loop recovered from, a git server's 500 that is the network's).
MODEL_SURE = 0.7
BACKED = 0.3  # an alternative this strong is one of the rules' readings, not a discounted one
MARGIN = 0.3  # an earlier cause wins unless a later one is stronger by more than this
RECOVERED_FACTOR = 0.25  # weight left to a hit that a later line shows was recovered from
# A message that names a stage and its cause ("cy.visit() failed ... 500", "npm ERR! network
# ... EAI_AGAIN") spans this many lines: within it, the cause the taxonomy puts first speaks
# with the strongest voice in it, whichever rule matched more strongly.
MESSAGE_LINES = 6
KEPT_PER_RULE = 3
MAX_EVIDENCE = 12
MAX_EVIDENCE_CHARS = 1000


@dataclass(frozen=True, slots=True)
class LogSource:
    """A log to classify: a name for evidence and a way to open it for reading bytes."""

    name: str
    open: Callable[[], BinaryIO]

    @classmethod
    def from_path(cls, path: Path) -> LogSource:
        return cls(str(path), lambda: path.open("rb"))

    @classmethod
    def from_text(cls, name: str, text: str) -> LogSource:
        data = text.encode("utf-8", "surrogateescape")
        return cls(name, lambda: io.BytesIO(data))


@dataclass(slots=True)
class _Found:
    """A rule hit kept as evidence, with where it stands in the run."""

    order: tuple[int, int]  # (log index, line)
    rule: Rule
    evidence: Evidence


@dataclass(slots=True)
class _Tally:
    """What the scan found, bounded whatever the size of the logs."""

    found: dict[str, list[_Found]] = field(default_factory=dict)
    recovered_at: dict[tuple[ErrorType, int], int] = field(default_factory=dict)
    lifted: dict[int, float] = field(default_factory=dict)  # id(found) -> its message's weight
    unlike: set[tuple[ErrorType, int, int]] = field(default_factory=set)  # (type, log, line)
    stats: ScanStats = field(default_factory=ScanStats)
    reports: set[int] = field(default_factory=set)  # the indices of JUnit reports
    reported: int = 0  # the test cases the JUnit reports hold
    lines: dict[int, int] = field(default_factory=dict)  # log index -> the lines it has

    def keep(self, found: _Found) -> None:
        kept = self.found.setdefault(found.rule.id, [])
        if len(kept) < KEPT_PER_RULE:
            kept.append(found)
        else:
            kept[-1] = found  # keep the first few and the latest

    def weight(self, found: _Found) -> float:
        log, line = found.order
        recovered = self.recovered_at.get((found.rule.type, log), 0) > line
        own = found.rule.weight * (RECOVERED_FACTOR if recovered else 1.0)
        return max(own, self.lifted.get(id(found), 0.0))


class Classifier:
    """Classifies logs and JUnit reports with an ordered list of rules."""

    def __init__(
        self,
        rules: Sequence[Rule],
        model: LinearModel | str | None = "builtin",
        calibration: Calibration | str | None = "builtin",
    ) -> None:
        """`model`: the learned second opinion, asked when the rules are silent or weak, or
        solid beside an earlier cause they read too: the shipped one (`builtin`), another
        `LinearModel`, or None for the rules alone.
        `calibration`: what turns a raw score into the chance of being right: the shipped one
        (`builtin`), another, or None to keep the raw scores."""
        self.rules = list(rules)
        self.model = _builtin_model() if isinstance(model, str) else model
        self.calibration = (
            _builtin_model().calibration if isinstance(calibration, str) else calibration
        )
        self._names = [""] * len(self.rules) + list(EXTRACTORS)
        self._scanner = Scanner(
            [r.pattern for r in self.rules] + list(EXTRACTORS.values()),
            only_with_others=[i for i, r in enumerate(self.rules) if r.effect is Effect.UNLIKE],
        )

    @property
    def scanner(self) -> Scanner:
        """The scanner over the rules (and failed-test extractors), for other passes."""
        return self._scanner

    def classify(
        self, logs: Iterable[LogSource], junit: Iterable[LogSource] = ()
    ) -> Classification:
        """Read every log once, then name the earliest solid cause."""
        tally, collector = _Tally(), FailureCollector(self._names)
        sources = [(log, False) for log in logs] + [(report, True) for report in junit]
        for index, (source, is_junit) in enumerate(sources):
            if is_junit:
                tally.reports.add(index)
                self._scan_junit(index, source, tally, collector)
            else:
                self._scan(index, source, tally, collector)
        verdict = _verdict(tally, collector.finish(), collector.total)
        # reports or runner summaries saying every test passed: the job failed elsewhere (a
        # lint, a coverage floor), and words around it are no evidence of a test failure's cause
        all_passed = (tally.reported > 0 and collector.total == 0) or collector.all_passed
        if self.model is not None and not all_passed:
            lines_of = [tally.lines.get(i) for i in range(len(sources))]
            verdict = _second_opinion(verdict, self.model, sources, lines_of)
        return _calibrated(verdict, self.calibration, self.model)

    def _scan(
        self, index: int, source: LogSource, tally: _Tally, collector: FailureCollector
    ) -> None:
        before = tally.stats.lines
        with _opened(source) as stream:
            for hit in self._scanner.scan(stream, tally.stats):
                collector.feed(hit)
                self._tally_hit(index, source.name, hit, tally)
        tally.lines[index] = tally.stats.lines - before

    def _scan_junit(
        self, index: int, source: LogSource, tally: _Tally, collector: FailureCollector
    ) -> None:
        """A JUnit report is read as what it says, not as XML: each failure's message and
        text, and the output kept with it, with the report's own line numbers; the rules of
        another language's runners are not read in it."""
        with _opened(source) as stream:
            report = read_report(stream, source.name)
        tally.reported += len(report.cases)
        self._add_cases(report.cases, collector)
        numbers = [n for n, _ in report.lines]
        text = "\n".join(t for _, t in report.lines).encode("utf-8", "replace")
        for hit in self._scanner.scan(io.BytesIO(text), tally.stats):
            # lines of one message share the report's line: they stay apart as evidence
            # (by their place in the text read), and are quoted with the report's line
            quoted = replace(
                hit,
                line=numbers[hit.line - 1],
                before=[(numbers[n - 1], t) for n, t in hit.before],
                after=[(numbers[n - 1], t) for n, t in hit.after],
            )
            self._tally_hit(index, source.name, quoted, tally, report.stack, hit.line)

    def _tally_hit(  # noqa: PLR0917 - one hit, where it was read and how to count it
        self,
        index: int,
        name: str,
        hit: Hit,
        tally: _Tally,
        stack: str = "",
        position: int | None = None,
    ) -> None:
        line = hit.line if position is None else position
        for rule_index in hit.matched:
            if rule_index >= len(self.rules):
                break  # extractor patterns follow the rules
            rule = self.rules[rule_index]
            if stack and rule.stack and rule.stack != stack:
                continue  # another language's runner printed this, not this report's
            if rule.effect is Effect.RECOVERED:
                tally.recovered_at[(rule.type, index)] = line
                continue
            tally.unlike.update((other, index, line) for other in rule.unlike)
            if rule.effect is Effect.UNLIKE:
                tally.unlike.add((rule.type, index, line))
                continue
            tally.keep(_Found((index, line), rule, _evidence(name, hit, rule)))

    def _add_cases(self, cases: list[Case], collector: FailureCollector) -> None:
        for case in cases:
            if case.result.outcome not in (TestOutcome.FAILED, TestOutcome.ERROR):
                continue
            details = _details_from_text(self._scanner, self._names, case.text)
            result = case.result
            collector.add(
                FailedTest(
                    id=result.id,
                    file=result.file,
                    line=result.line,
                    message=result.message.splitlines()[0] if result.message else "",
                    locator=details.locator,
                    action=details.action,
                )
            )


def _details_from_text(scanner: Scanner, names: list[str], text: str) -> FailedTest:
    """Locator and action from one JUnit failure text (its own pytest-like section)."""
    collector = FailureCollector(names)
    collector.feed(Hit(0, "___ junit-case ___", [names.index("pytest_header")], []))
    for hit in scanner.scan(io.BytesIO(text.encode("utf-8", "replace")), ScanStats()):
        collector.feed(hit)
    found = collector.finish()
    return found[0] if found else FailedTest(id="junit-case")


class _opened:  # noqa: N801 - used as a context manager, like open()
    def __init__(self, source: LogSource) -> None:
        self._source = source

    def __enter__(self) -> BinaryIO:
        try:
            self._stream = self._source.open()
        except OSError as exc:
            raise InputError(f"{self._source.name}: cannot read: {exc.strerror}") from exc
        return self._stream

    def __exit__(self, *exc: object) -> None:
        self._stream.close()


def _evidence(name: str, hit: Hit, rule: Rule) -> Evidence:
    context = [
        LogLine(line=n, text=redact(t)[:MAX_EVIDENCE_CHARS]) for n, t in (*hit.before, *hit.after)
    ]
    return Evidence(
        log=name,
        line=hit.line,
        text=redact(hit.text)[:MAX_EVIDENCE_CHARS],
        rule_id=rule.id,
        error_type=rule.type,
        context=context,
    )


# --- the verdict -----------------------------------------------------------------------------


def _per_type(tally: _Tally) -> dict[ErrorType, list[_Found]]:
    """Kept hits by type, one per line: where two rules of a type match the same line, the
    stronger stands for it (one line is one piece of evidence, not two)."""
    best: dict[tuple[ErrorType, int, int], _Found] = {}
    for kept in tally.found.values():
        for found in kept:
            key = (found.rule.type, *found.order)
            if key in tally.unlike:
                continue  # the line only looks like this type
            if key not in best or tally.weight(found) > tally.weight(best[key]):
                best[key] = found
    per_type: dict[ErrorType, list[_Found]] = {}
    for found in best.values():
        per_type.setdefault(found.rule.type, []).append(found)
    _causes_over_stages(tally, list(best.values()))
    return per_type


def _causes_over_stages(tally: _Tally, founds: list[_Found]) -> None:
    """Within one message, a cause the taxonomy puts before the stage it broke (the 500 that
    failed a visit, the DNS error that failed an install) takes the stage's weight: which
    rule happened to match more strongly does not decide between them, precedence does. A
    generic line (a bare traceback, under WEAK) names no cause and is not lifted."""
    founds.sort(key=lambda f: f.order)
    own = [tally.weight(f) for f in founds]
    for i, cause in enumerate(founds):
        if own[i] < WEAK:
            continue
        rank = TAXONOMY[cause.rule.type].rank
        lift = 0.0
        for step in (-1, 1):
            j = i + step
            while 0 <= j < len(founds) and _near(founds[j].order, cause.order):
                if TAXONOMY[founds[j].rule.type].rank > rank:
                    lift = max(lift, own[j])
                j += step
        if lift > own[i]:
            tally.lifted[id(cause)] = lift


def _near(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] == b[0] and abs(a[1] - b[1]) <= MESSAGE_LINES


def _scores(tally: _Tally, per_type: dict[ErrorType, list[_Found]]) -> dict[ErrorType, float]:
    """Each type's score: independent rules combine as 1 - prod(1 - weight)."""
    scores: dict[ErrorType, float] = {}
    for error_type, everywhere in per_type.items():
        # a JUnit report renders the failures the test output shows: when the output shows
        # this type, the report corroborates it and adds no rules of its own (a message read
        # twice is not twice the evidence); alone, it counts in full
        shown = [f for f in everywhere if f.order[0] not in tally.reports]
        founds = shown or everywhere
        by_rule: dict[str, float] = {}
        for found in founds:
            by_rule[found.rule.id] = max(by_rule.get(found.rule.id, 0.0), tally.weight(found))
        missing = 1.0
        for weight in by_rule.values():
            missing *= 1.0 - weight
        scores[error_type] = round(1.0 - missing, 4)
    return scores


def _first_seen(per_type: dict[ErrorType, list[_Found]]) -> dict[ErrorType, tuple[int, int]]:
    return {t: min(f.order for f in founds) for t, founds in per_type.items()}


def choose(scores: dict[ErrorType, float], first: dict[ErrorType, tuple[int, int]]) -> ErrorType:
    """Root cause before symptom: the earliest solid cause, unless a later one is far stronger."""
    if not scores:
        return ErrorType.UNKNOWN
    solid = [t for t, s in scores.items() if s >= SOLID]
    if not solid:
        return max(scores, key=lambda t: (scores[t], -TAXONOMY[t].rank))
    strongest = max(scores[t] for t in solid)
    ordered = sorted(solid, key=lambda t: (TAXONOMY[t].rank, -scores[t], first[t]))
    # rounded: 0.9 - 0.3 is 0.6000000000000001 in floats, and a cause at 0.6 is within it
    return next(t for t in ordered if round(strongest - scores[t], 9) <= MARGIN)


def confidence(winner: ErrorType, scores: dict[ErrorType, float]) -> float:
    """The winner's score, lowered by rival causes at the same or an earlier stage."""
    if winner is ErrorType.UNKNOWN:
        return 0.3
    value = scores[winner]
    rank = TAXONOMY[winner].rank
    for other, score in scores.items():
        if other is not winner and score >= SOLID and TAXONOMY[other].rank <= rank:
            value *= 1.0 - 0.5 * score
        elif other is not winner and score > value:
            value *= 1.0 - 0.5 * (score - value)
    return round(max(0.05, min(0.99, value)), 2)


def _verdict(tally: _Tally, failed: list[FailedTest], total: int) -> Classification:
    per_type = _per_type(tally)
    scores = _scores(tally, per_type)
    winner = choose(scores, _first_seen(per_type))
    conf = confidence(winner, scores)
    evidence = _pick_evidence(tally, per_type, winner, scores)
    info = TAXONOMY[winner]
    key = _key(evidence[0].text if evidence else (failed[0].message if failed else ""), failed)
    # On the verdict's scale: the confidence each would have had as the verdict.
    rivals = {t: confidence(t, scores) for t in scores if t is not winner}
    alternatives = [
        Alternative(error_type=t, confidence=c)
        for t, c in sorted(rivals.items(), key=lambda kv: (-kv[1], kv[0].value))
    ][:5]
    return Classification(
        error_type=winner,
        blocker_type=info.blocker,
        confidence=conf,
        summary=_summary(winner, conf, evidence, total),
        evidence=evidence,
        alternatives=alternatives,
        failed_tests=failed,
        failed_tests_total=total,
        signature=signature(winner, key),
        next_step=info.next_step,
        escalate_after_attempts=info.escalate_after_attempts,
        lines_scanned=tally.stats.lines,
        bytes_scanned=tally.stats.bytes,
    )


@functools.cache
def _builtin_model() -> LinearModel:
    return LinearModel.builtin()


def _second_opinion(
    verdict: Classification,
    model: LinearModel,
    sources: list[tuple[LogSource, bool]],
    lines_of: list[int | None],
) -> Classification:
    """Ask the model. Weak rules the model agrees with: `both`. Otherwise, when the model
    prefers a type on more than one word, it decides (`model`), its strongest words shown in
    the lines that hold them and the rules' type kept as an alternative, unless its type comes
    later in the causal chain than the weak rules' (elements not found after a page answered
    404 for a record: the symptom of the cause the rules read) or as early and it is less sure
    than they are. Solid rules give way only to a model sure of an earlier cause that they
    read too (an alternative of theirs, not one they discounted as recovered from or as a
    look-alike): the model breaks the tie between their readings, it does not bring a type
    they never saw. Otherwise the rules' verdict stands, the model's words recorded when the
    rules were weak."""
    solid = verdict.confidence >= WEAK
    read = rules_read((a.error_type, a.confidence) for a in verdict.alternatives)
    rank = TAXONOMY[verdict.error_type].rank
    if solid and all(TAXONOMY[t].rank >= rank for t in read):
        return verdict  # no earlier cause the rules read too: nothing the model could take
    # a second read, bounded: a long log's head and tail only
    lines = salient_lines(_streams(sources), lines_of)
    if not lines:
        return verdict
    opinion = model.opinion(lines)
    if solid:
        decides = model_decides(verdict.error_type, verdict.confidence, opinion, read)
        return _model_verdict(verdict, opinion, lines, _said(opinion)) if decides else verdict
    said = _said(opinion)
    if verdict.error_type is opinion.error_type:
        return verdict.model_copy(update={"decided_by": "both", "model_tokens": said})
    if not model_decides(verdict.error_type, verdict.confidence, opinion):
        return verdict.model_copy(update={"model_tokens": said})
    return _model_verdict(verdict, opinion, lines, said)


def _said(opinion: Opinion) -> list[str]:
    return [redact(t)[:200] for t in opinion.strongest]


def rules_read(alternatives: Iterable[Sequence[Any]]) -> set[ErrorType]:
    """The types the rules read as alternatives (type, score) of at least BACKED: not the
    ones they discounted as recovered from or as look-alikes."""
    return {ErrorType(kind) for kind, score in alternatives if score >= BACKED}


def model_decides(
    rules_type: ErrorType,
    rules_confidence: float,
    opinion: Opinion,
    read: Collection[ErrorType] = (),
) -> bool:
    """Whether the model's opinion replaces the rules verdict: it names another type on more
    than one word and, when the rules did name one, prefers it clearly over the next (by
    MODEL_MIN_LEAD), and that type is no symptom of the rules' cause (later in the causal
    chain), nor as early with the model less sure than the rules (a swap between siblings on
    a few words). Solid rules (WEAK or more) give way only to a model at least MODEL_SURE of
    an earlier cause they `read` too (`rules_read`)."""
    if opinion.error_type in (rules_type, ErrorType.UNKNOWN):
        return False
    if len(_words(opinion.strongest)) < MODEL_MIN_WORDS:
        return False  # too few words for it: no opinion
    if rules_type is ErrorType.UNKNOWN:
        return True
    runner_up = max(
        (p for t, p in opinion.probabilities.items() if t is not opinion.error_type), default=0.0
    )
    if opinion.probability - runner_up < MODEL_MIN_LEAD:
        return False  # barely preferred over another type: the weak rules stand
    theirs, ours = TAXONOMY[opinion.error_type].rank, TAXONOMY[rules_type].rank
    if rules_confidence >= WEAK:
        return opinion.probability >= MODEL_SURE and theirs < ours and opinion.error_type in read
    return theirs < ours or (theirs == ours and opinion.probability >= rules_confidence)


def _words(strongest: list[str]) -> set[str]:
    """The distinct words behind the model's strongest features: `~make` (an identifier's
    word) and `make` are one word."""
    return {w.removeprefix("~") for f in strongest for w in f.split()}


def _model_verdict(
    verdict: Classification, opinion: Opinion, lines: list[Salient], said: list[str]
) -> Classification:
    winner = opinion.error_type
    conf = round(min(opinion.probability, MODEL_CAP), 2)
    words = set(opinion.strongest)
    shown = sorted(lines, key=lambda s: -len(words & features([s.text])))[:3]
    evidence = [
        Evidence(
            log=s.log,
            line=s.line,
            text=redact(s.text)[:MAX_EVIDENCE_CHARS],
            rule_id="model.linear",
            error_type=winner,
        )
        for s in shown
    ]
    info = TAXONOMY[winner]
    key = _key(evidence[0].text if evidence else "", verdict.failed_tests)
    alternatives = verdict.alternatives
    if verdict.error_type is not ErrorType.UNKNOWN:  # weak rules overruled: shown, not lost
        evidence += verdict.evidence[: MAX_EVIDENCE - len(evidence)]
        alternatives = [
            Alternative(error_type=verdict.error_type, confidence=verdict.confidence),
            *(a for a in alternatives if a.error_type is not winner),
        ]
    return verdict.model_copy(
        update={
            "error_type": winner,
            "blocker_type": info.blocker,
            "confidence": conf,
            "summary": _model_summary(winner, conf, evidence, verdict.failed_tests_total, said),
            "evidence": evidence,
            "alternatives": alternatives,
            "signature": signature(winner, key),
            "next_step": info.next_step,
            "escalate_after_attempts": info.escalate_after_attempts,
            "decided_by": "model",
            "model_tokens": said,
        }
    )


def _model_summary(
    winner: ErrorType, conf: float, evidence: list[Evidence], total: int, said: list[str]
) -> str:
    return (
        _summary(winner, conf, evidence, total)
        + f" (learned model; strongest words: {', '.join(said[:3])})"
    )


def _calibrated(
    verdict: Classification, calibration: Calibration | None, model: LinearModel | None
) -> Classification:
    """The verdict with its confidence, and its alternatives', as the chance of being right:
    a rules verdict is likelier right when the model, reading its evidence lines, names the
    same type."""
    if calibration is None:
        return verdict
    named = _named_by_model(verdict, model) if calibration.rules.agree else None
    conf = calibration(
        verdict.confidence,
        verdict.decided_by,
        None if named is None else named is verdict.error_type,
    )
    total = verdict.failed_tests_total
    summary = (
        _model_summary(verdict.error_type, conf, verdict.evidence, total, verdict.model_tokens)
        if verdict.decided_by == "model"
        else _summary(verdict.error_type, conf, verdict.evidence, total)
    )
    # an alternative on the same scale, whether the model named it or not (the model's
    # preference is the verdict's confidence already), never above the verdict
    alternatives = sorted(
        (
            a.model_copy(update={"confidence": min(conf, calibration(a.confidence, "rules"))})
            for a in verdict.alternatives
        ),
        key=lambda a: (-a.confidence, a.error_type.value),
    )
    return verdict.model_copy(
        update={"confidence": conf, "summary": summary, "alternatives": alternatives}
    )


def _named_by_model(verdict: Classification, model: LinearModel | None) -> ErrorType | None:
    """The type the model names from the verdict's evidence lines and their context (no
    second read of the logs), or None without a model or evidence."""
    if model is None or verdict.decided_by == "model":
        return None
    return model.names((e.text, [c.text for c in e.context]) for e in verdict.evidence)


def _key(line: str, failed: list[FailedTest]) -> str:
    """What a signature is made of: the key line, and the locators that failed (the same
    Playwright message about two different elements is two failures)."""
    locators = sorted({t.locator for t in failed if t.locator})[:5]
    return " ".join([line, *locators])


def _streams(sources: list[tuple[LogSource, bool]]) -> Iterator[tuple[str, BinaryIO]]:
    for source, _ in sources:
        with _opened(source) as stream:
            yield source.name, stream


def _pick_evidence(
    tally: _Tally,
    per_type: dict[ErrorType, list[_Found]],
    winner: ErrorType,
    scores: dict[ErrorType, float],
) -> list[Evidence]:
    """The winner's strongest lines first, then the best line or two of each alternative."""

    def ranked(error_type: ErrorType) -> list[_Found]:
        return sorted(per_type.get(error_type, []), key=lambda f: (-tally.weight(f), f.order))

    chosen = ranked(winner)[:6]
    for other in sorted((t for t in scores if t is not winner), key=lambda t: -scores[t]):
        shown = {f.order for f in chosen}
        chosen += [f for f in ranked(other) if f.order not in shown][:2]
    return [f.evidence for f in chosen[:MAX_EVIDENCE]]


def _summary(winner: ErrorType, conf: float, evidence: list[Evidence], total: int) -> str:
    tests = f"; {total} failed test{'s' * (total != 1)}" if total else ""
    if not evidence or winner is ErrorType.UNKNOWN:
        return f"{winner.value}: no known failure pattern matched{tests}"
    key = evidence[0]
    return f"{winner.value} ({conf:.0%}): {key.text.strip()[:240]} [{key.log}:{key.line}]{tests}"
