"""The learned second opinion: a linear model over the tokens of a log's salient lines.

It is trained at development time (`python -m bench train`, scikit-learn in the `train` extra)
on the labelled excerpts the rules were tuned on, never on the never-tuned split, and shipped as
a small versioned JSON file (`model.json`). Inference here is pure Python and deterministic:
the salient lines (errors, failures, refusals, timeouts...) are read with RE2, their words
normalised (lower case, numbers blurred except 3-digit codes such as 401 or 137) into tokens and
adjacent pairs, and each type's score is its bias plus the weights of the features present
(divided, in a model trained so, by the square root of how many distinct features the lines
have: a long log's many words do not outweigh a short log's few).
"""

from __future__ import annotations

import functools
import io
import itertools
import json
import math
import re
from collections import deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from importlib import resources
from typing import Any, BinaryIO

from agent_engine.taxonomy import ErrorType
from agent_engine.triage.preprocess import is_boilerplate
from agent_engine.triage.scan import Hit, Scanner, ScanStats

VERSION = 3  # 2: identifiers' words (CamelCase split) are features too; 3: `normalise`
MAX_LINES = 400  # salient lines read per run: the first 100 and the last 300
HEAD_LINES = 100
TAIL_START = 256 << 10  # a log longer than twice this is read from both ends, not through
WINDOW = 8 << 20  # bytes read at most at either end of a long log for its salient lines
# Lines worth reading when no rule has spoken: what failure output looks like in any stack.
SALIENT = (
    r"(?i)(error|fail|exception|refused|denied|timed? ?out|timeout|not found|cannot|can't|"
    r"unable|fatal|killed|panic|unauthori[sz]ed|forbidden|invalid|missing|expected|"
    r"traceback|exit(ed)? (code|status)|abort|crash|no such|warning:|\b[45][0-9][0-9]\b)"
)
_WORD = re.compile(r"[a-z][a-z0-9_]*|[0-9]+")
# The words inside an identifier (NoMatchingViewException: no, matching, view, exception), so
# that stacks naming the same thing in their own identifiers share features.
_SUBWORD = re.compile(r"[A-Za-z][a-z0-9]+|[A-Z]+(?![a-z])")
_CONTEXT_LINES = 1
MODEL_CAP = 0.85  # the model never claims the confident band: that is the rules' own


def tokens(line: str) -> list[str]:
    """A line's normalised words: lower case, numbers as `N` unless a 3-digit code."""
    found = _WORD.findall(line.lower())
    return [w if not w.isdigit() else (w if len(w) == 3 else "N") for w in found if len(w) > 1]


def subwords(line: str) -> set[str]:
    """The words inside the line's identifiers, lower case and marked `~` (`~view`)."""
    return {f"~{w.lower()}" for w in _SUBWORD.findall(line) if len(w) > 2}


def features(lines: Iterable[str]) -> set[str]:
    """Tokens, adjacent token pairs and identifiers' words of the lines (presence, not
    counts)."""
    out: set[str] = set()
    for line in lines:
        words = tokens(line)
        out.update(words)
        out.update(f"{a} {b}" for a, b in itertools.pairwise(words))
        out.update(subwords(line))
    return out


@functools.cache
def _scanner() -> Scanner:
    return Scanner([SALIENT], context=_CONTEXT_LINES)


@dataclass(frozen=True, slots=True)
class Salient:
    """A salient line, where it was read, and the line around it."""

    log: str
    line: int
    text: str
    context: str


def salient_lines(
    streams: Iterable[tuple[str, BinaryIO]], lines_of: Sequence[int | None] = ()
) -> list[Salient]:
    """The salient lines of the logs (name, stream), the first 100 and the last 300 of them,
    each with the lines around it (runner chatter left out): bounded whatever the size of the
    logs. A long seekable log is not read through: its head until the first lines are found,
    its tail from the end back until the last ones are, each within WINDOW bytes. `lines_of`:
    each log's line count where a first read counted it (else its tail's line numbers cost a
    count of the newlines before it)."""
    head: list[Salient] = []
    tail: deque[Salient] = deque(maxlen=MAX_LINES - HEAD_LINES)
    for k, (name, stream) in enumerate(streams):
        total = lines_of[k] if k < len(lines_of) else None
        first, last = _salient_of(name, stream, HEAD_LINES - len(head), total)
        head += first
        tail.extend(last)
    return head + list(tail)


def _salient_of(
    name: str, stream: BinaryIO, room: int, total: int | None
) -> tuple[list[Salient], list[Salient]]:
    """One log's salient lines: up to `room` first ones, then the last ones after them."""
    size = _size(stream)
    if size is None or size <= 2 * TAIL_START:
        found = [_salient(name, hit) for hit in _scanner().scan(stream, ScanStats())]
        return found[:room], found[room:][-(MAX_LINES - HEAD_LINES) :]
    first: list[Salient] = []
    if room > 0:
        # most logs have their first salient lines in their first bytes (one more is asked
        # for, so that the line after the last one kept was read too)
        block = stream.read(TAIL_START)
        first = _first(name, io.BytesIO(block[: block.rfind(b"\n") + 1]), room + 1)
        if len(first) > room:
            first = first[:room]
        else:
            if size > 2 * WINDOW:
                reader: BinaryIO = io.BytesIO(block + stream.read(WINDOW - len(block)))
            else:
                reader = stream
                stream.seek(0)
            first = _first(name, reader, room)
            if len(first) < room and size <= 2 * WINDOW:
                return first, []  # read through: every salient line is in the head
    after = first[-1].line if len(first) == room and first else 0
    return first, _tail(name, stream, size, total, after)


def _first(name: str, stream: BinaryIO, count: int) -> list[Salient]:
    hits = _scanner().scan(stream, ScanStats())
    return [_salient(name, hit) for hit in itertools.islice(hits, count)]


def _tail(name: str, stream: BinaryIO, size: int, total: int | None, after: int) -> list[Salient]:
    """The last salient lines of a long log after line `after`, read from its end: a
    window widening fourfold (up to WINDOW bytes in a log longer than twice that) until it
    holds enough or reaches them."""
    window, widest = TAIL_START, WINDOW if size > 2 * WINDOW else size
    data, start = b"", size
    while True:
        wider = max(0, size - window)
        stream.seek(wider)
        data, start = stream.read(start - wider) + data, wider  # each byte read once
        cut = data.find(b"\n") + 1 if start else 0  # a line cut by the window is left out
        part = data[cut:]
        in_part = part.count(b"\n") + (0 if part.endswith(b"\n") or not part else 1)
        if total is None:
            total = _count_lines(stream, start + cut) + in_part
        base = total - in_part  # the lines before the window's first
        found = [
            _salient(name, hit, base)
            for hit in _scanner().scan(io.BytesIO(part), ScanStats())
            if hit.line + base > after
        ]
        if len(found) >= MAX_LINES - HEAD_LINES or start == 0 or base <= after or window >= widest:
            return found[-(MAX_LINES - HEAD_LINES) :]
        window = min(window * 4, widest)


def _salient(name: str, hit: Hit, base: int = 0) -> Salient:
    before = [t for _, t in hit.before if not is_boilerplate(t)]
    around = before + [hit.text] + [t for _, t in hit.after if not is_boilerplate(t)]
    return Salient(name, hit.line + base, hit.text, " ".join(around))


def _size(stream: BinaryIO) -> int | None:
    """The bytes left in a seekable stream (read from where it stands), None otherwise."""
    try:
        if not stream.seekable():
            return None
        here = stream.tell()
        size = stream.seek(0, io.SEEK_END)
        stream.seek(here)
    except (OSError, ValueError, AttributeError):
        return None
    return size if here == 0 else None


def _count_lines(stream: BinaryIO, end: int) -> int:
    stream.seek(0)
    count, left = 0, end
    while left > 0 and (block := stream.read(min(1 << 20, left))):
        count += block.count(b"\n")
        left -= len(block)
    return count


@dataclass(frozen=True, slots=True)
class Opinion:
    """The model's answer: the type it prefers, its probability, and the features that
    weighed most for it (the words a reader can look for in the log)."""

    error_type: ErrorType
    probability: float
    strongest: list[str]
    probabilities: dict[ErrorType, float]


def logit(raw: float) -> float:
    """log(p / (1 - p)), with p kept off 0 and 1 (and a score that is not a number as 0)."""
    p = min(max(raw, 1e-4), 1 - 1e-4) if math.isfinite(raw) else 1e-4
    return math.log(p / (1 - p))


# Below this a rules score is weak evidence (a bare traceback, a recovered refusal, `unknown`):
# the rules' map is fitted on verdicts, nearly all above it, and would lift such scores by
# extrapolating, so it may lower them but never raise them.
UNLIFTED = 0.5


@dataclass(frozen=True, slots=True)
class Platt:
    """A logistic map from a raw score to the chance of being right:
    1 / (1 + e^-(slope * logit(raw) + agree * [the model agrees] + intercept)). When whether
    the model agrees is not known (no model), the share of agreement it was fitted on stands
    for it."""

    slope: float = 1.0
    intercept: float = 0.0
    agree: float = 0.0
    agree_share: float = 0.0

    def __call__(self, raw: float, agrees: bool | None = None) -> float:
        said = self.agree_share if agrees is None else float(agrees)
        z = self.slope * logit(raw) + self.agree * said + self.intercept
        if not math.isfinite(z):  # a broken map claims nothing
            return 0.0
        return 1.0 / (1.0 + math.exp(-min(max(z, -50.0), 50.0)))


@dataclass(frozen=True, slots=True)
class Calibration:
    """Confidence as the chance of being right, fitted on verdicts made without the case:
    the rules' on the wild cases as the rules stood before any was tuned on them (with whether
    a model not trained on the case named the same type from the evidence lines), the
    model's on grouped held-out folds. `both` is a rules verdict the model agreed with."""

    rules: Platt
    model: Platt
    fitted_on: str = ""

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Calibration:
        return cls(Platt(**data["rules"]), Platt(**data["model"]), str(data.get("fitted_on", "")))

    def __call__(self, raw: float, decided_by: str = "rules", agrees: bool | None = None) -> float:
        if decided_by == "model":  # too few confident model verdicts to back a high band
            return round(max(0.05, min(MODEL_CAP, self.model(raw))), 2)
        if decided_by == "both":
            agrees = True
        mapped = self.rules(raw, agrees)
        if not raw >= UNLIFTED:  # weak evidence (or none): the map may lower it, never raise it
            mapped = min(mapped, raw) if math.isfinite(raw) else 0.0
        return round(max(0.05, min(0.99, mapped)), 2)


class LinearModel:
    """A multinomial linear model: classes, a bias each, a weight per feature and class."""

    def __init__(self, data: dict[str, Any]) -> None:
        if data.get("version") != VERSION:
            raise ValueError(f"model.json version {data.get('version')!r}, expected {VERSION}")
        self.classes = [ErrorType(c) for c in data["classes"]]
        self.bias = [float(b) for b in data["bias"]]
        # feature -> {class index: weight}; a missing class weighs 0
        self.weights: dict[str, dict[int, float]] = {
            f: {int(k): float(w) for k, w in ws.items()} for f, ws in data["weights"].items()
        }
        self.trained_on = str(data.get("trained_on", ""))
        # trained on rows scaled to unit length: each feature of the lines weighs 1/sqrt(n)
        self.normalise = bool(data.get("normalise", False))
        found = data.get("calibration")
        self.calibration = Calibration.from_json(found) if found else None

    @classmethod
    def builtin(cls) -> LinearModel:
        text = resources.files("agent_engine.triage").joinpath("model.json").read_text()
        return cls(json.loads(text))

    def names(self, evidence: Iterable[tuple[str, Sequence[str]]]) -> ErrorType | None:
        """The type the model names from evidence lines, each with the lines around it (no
        second read of the logs), or None without evidence."""
        lines = [Salient("", 0, text, " ".join([text, *around])) for text, around in evidence]
        return self.opinion(lines).error_type if lines else None

    def opinion(self, lines: Sequence[Salient]) -> Opinion:
        found = features(s.context for s in lines)
        present = found & self.weights.keys()
        scale = 1.0 / math.sqrt(len(found)) if self.normalise and found else 1.0
        scores = list(self.bias)
        for feature in present:
            for i, weight in self.weights[feature].items():
                scores[i] += weight * scale
        top = max(scores)
        exp = [math.exp(s - top) for s in scores]
        total = sum(exp)
        probabilities = {c: e / total for c, e in zip(self.classes, exp, strict=True)}
        best = max(range(len(scores)), key=lambda i: (scores[i], -i))
        strongest = sorted(
            (f for f in present if self.weights[f].get(best, 0.0) > 0),
            key=lambda f: (-self.weights[f][best], f),
        )[:5]
        return Opinion(self.classes[best], round(exp[best] / total, 4), strongest, probabilities)
