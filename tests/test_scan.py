"""The streaming scanner: exact line numbers and context across chunk boundaries, bounded work."""

from __future__ import annotations

import importlib
import io
import platform
import re
import sys
from pathlib import Path

import pytest

from agent_engine.triage import scan
from agent_engine.triage.classify import Classifier
from agent_engine.triage.failures import EXTRACTORS
from agent_engine.triage.rules import load_rules
from agent_engine.triage.scan import Hit, Scanner, ScanStats
from bench.classify import generate

FIXTURES = Path(__file__).parent / "fixtures"
PATTERNS = [r.pattern for r in load_rules()] + list(EXTRACTORS.values())


def hyperscan_loads() -> bool:
    try:
        importlib.import_module("hyperscan")
    except (ImportError, OSError):
        return False
    return True


# pyproject installs hyperscan on x86-64 (its wheels exist only there): on x86-64, CI included,
# it must load and these tests run; elsewhere the RE2 path alone is what users get.
X86_64 = platform.machine() in ("x86_64", "AMD64")
needs_hyperscan = pytest.mark.skipif(
    not X86_64, reason="hyperscan wheels exist for x86-64 only; RE2 alone runs elsewhere"
)
ENGINES = ["re2", pytest.param("hyperscan", marks=needs_hyperscan)]


def hits(patterns: list[str], data: bytes, engine: scan.Engine) -> list[Hit]:
    return list(Scanner(patterns, engine=engine).scan(io.BytesIO(data), ScanStats()))


def numbered(count: int, every: int) -> bytes:
    lines = [f"line {i}" + (" ERROR boom" if i % every == 0 else "") for i in range(1, count + 1)]
    return ("\n".join(lines) + "\n").encode()


def expected_text(n: int, every: int) -> str:
    return f"line {n}" + (" ERROR boom" if n % every == 0 else "")


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("chunk", [7, 16, 64, 4 << 20])
def test_line_numbers_and_context_survive_any_chunk_size(
    monkeypatch: pytest.MonkeyPatch, chunk: int, engine: scan.Engine
) -> None:
    monkeypatch.setattr(scan, "CHUNK_BYTES", chunk)
    stats = ScanStats()
    scanner = Scanner(["ERROR"], context=2, engine=engine)
    hits = list(scanner.scan(io.BytesIO(numbered(100, 7)), stats))
    assert [h.line for h in hits] == list(range(7, 101, 7))
    for hit in hits:
        assert hit.text == expected_text(hit.line, 7)
        assert [n for n, _ in hit.before] == [hit.line - 2, hit.line - 1]
        assert [n for n, _ in hit.after] == [n for n in (hit.line + 1, hit.line + 2) if n <= 100]
        assert all(t == expected_text(n, 7) for n, t in hit.before + hit.after)
    assert (stats.lines, stats.bytes) == (100, len(numbered(100, 7)))


@pytest.mark.parametrize("engine", ENGINES)
def test_a_last_line_without_newline_and_crlf_endings(engine: scan.Engine) -> None:
    stats = ScanStats()
    data = b"ok\r\nfirst ERROR\r\nok\r\nlast ERROR"
    hits = list(Scanner(["ERROR$"], engine=engine).scan(io.BytesIO(data), stats))
    assert [(h.line, h.text) for h in hits] == [(2, "first ERROR"), (4, "last ERROR")]
    assert stats.lines == 4


@pytest.mark.parametrize("engine", ENGINES)
def test_each_matching_pattern_is_reported(engine: scan.Engine) -> None:
    found = hits(["a", "b", "c"], b"xx\nab\n", engine)
    assert [(h.line, h.matched) for h in found] == [(2, [0, 1])]


@pytest.mark.parametrize("engine", ENGINES)
def test_a_pattern_that_only_qualifies_others_makes_no_hit_alone(engine: scan.Engine) -> None:
    # a passing test's line is common: alone it is no hit; beside a signal it is reported
    data = b"t.py::test_ok PASSED\nt.py::test_reset PASSED ECONNRESET\nx\nECONNRESET\n"
    scanner = Scanner(["PASSED", "ECONNRESET"], engine=engine, only_with_others=[0])
    found = list(scanner.scan(io.BytesIO(data), ScanStats()))
    assert [(h.line, h.matched) for h in found] == [(2, [0, 1]), (4, [1])]
    assert not list(
        Scanner(["PASSED"], engine=engine, only_with_others=[0]).scan(io.BytesIO(data), ScanStats())
    )


@pytest.mark.parametrize("engine", ENGINES)
def test_timestamps_and_colours_do_not_hide_anchored_patterns(engine: scan.Engine) -> None:
    data = b"2024-03-05T10:11:12.1234567Z \x1b[31mFAILED t.py::x\x1b[0m\n"
    found = hits(["^FAILED "], data, engine)
    assert [(h.line, h.text) for h in found] == [(1, "FAILED t.py::x")]


@pytest.mark.parametrize("engine", ENGINES)
def test_boilerplate_never_becomes_a_hit(engine: scan.Engine) -> None:
    data = b"##[error]Process completed with exit code 1.\nexit code 1 elsewhere\n"
    assert [h.line for h in hits(["exit code 1"], data, engine)] == [2]


@pytest.mark.parametrize("engine", ENGINES)
def test_a_huge_line_is_cut_for_matching(
    monkeypatch: pytest.MonkeyPatch, engine: scan.Engine
) -> None:
    monkeypatch.setattr(scan, "CHUNK_BYTES", 1 << 16)
    monkeypatch.setattr(scan, "MAX_CARRY_BYTES", 1 << 17)
    data = b"ERROR " + b"x" * 300_000 + b"\nERROR two\n"
    hits = list(Scanner(["ERROR"], engine=engine).scan(io.BytesIO(data), ScanStats()))
    assert hits[0].line == 1
    assert len(hits[0].text) == scan.MAX_LINE_CHARS
    assert (hits[-1].line, hits[-1].text) == (2, "ERROR two")


@pytest.mark.parametrize("engine", ENGINES)
def test_hostile_input_cannot_make_matching_slow(engine: scan.Engine) -> None:
    """A pattern that backtracks exponentially in a backtracking engine stays linear in RE2
    (and in Hyperscan, an automaton too)."""
    hostile = b"a" * 200_000 + b"!\n"
    # With Python's re this would not finish in our lifetime; RE2 answers at once.
    assert hits(["(a+)+$", "(a|aa)+b"], hostile, engine) == []


@needs_hyperscan
def test_the_classifier_finds_candidate_lines_with_hyperscan_where_it_loads() -> None:
    assert Classifier(load_rules(), model=None).scanner.engine == "hyperscan"
    assert re.fullmatch(r"hyperscan [0-9]+\.[0-9.]+", Scanner(PATTERNS).engine_note)


@needs_hyperscan
@pytest.mark.parametrize("chunk", [1 << 16, 4 << 20])
def test_both_engines_find_the_same_hits_in_a_generated_log(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, chunk: int
) -> None:
    monkeypatch.setattr(scan, "CHUNK_BYTES", chunk)
    data = generate(tmp_path / "ci.log", 2).read_bytes()
    found = hits(PATTERNS, data, "hyperscan")
    assert found == hits(PATTERNS, data, "re2")
    assert any("Connection refused" in h.text for h in found)
    assert any("Locator.click: Timeout" in h.text for h in found)


@needs_hyperscan
def test_both_engines_find_the_same_hits_in_every_corpus_log() -> None:
    logs = sorted((FIXTURES / "corpus").glob("**/*.log")) + sorted(
        (FIXTURES / "wild").glob("**/*.log")
    )
    assert len(logs) > 100
    total = 0
    for log in logs:
        data = log.read_bytes()
        found = hits(PATTERNS, data, "hyperscan")
        assert found == hits(PATTERNS, data, "re2"), log
        total += len(found)
    assert total > len(logs)


@needs_hyperscan
@pytest.mark.parametrize(
    ("pattern", "data", "lines"),
    [
        # a match that ends by taking its line's newline is on that line, not the next
        ("exists(\\s*$|[^,])", "relation k already exists\nnext\n", [1]),
        ("exists(\\s*$|[^,])", "relation k already exists\n", [1]),
        ("exists(\\s*$|[^,])", "already exists, skipping\nnext\n", []),
        # a character outside ASCII is several bytes for Hyperscan, one character for RE2
        ("a.b", "xa✓b\n", [1]),
        ("[^ ]x", "✓x\n", [1]),
        ("^FAILED", "\ufeffFAILED t\n", [1]),
        ("✓ ok", "  ✓ ok\n", [1]),
        ("a\\Wb", "a→b\n", [1]),
        # RE2's \s has no vertical tab, so \S matches it
        ("a\\Sb", "a\vb\n", [1]),
        ("a[^\\s]b", "a\vb\n", [1]),
        ("a\\vb", "a\vb\n", [1]),
        # a `{` that opens no repeat is a literal; named groups
        ("x{,3}", "x{,3}\nxxx\n", [1]),
        ("(?P<n>ab)c", "abc\n", [1]),
        # RE2 never matches across lines
        ("a\\sb", "a\nb\n", []),
        ("a[^x]b", "a\nb\n", []),
    ],
)
def test_hyperscan_finds_what_re2_finds_in_utf8_and_odd_escapes(
    pattern: str, data: str, lines: list[int]
) -> None:
    raw = data.encode()
    assert [h.line for h in hits([pattern], raw, "hyperscan")] == lines
    assert hits([pattern], raw, "hyperscan") == hits([pattern], raw, "re2")


@needs_hyperscan
def test_a_line_hyperscan_offers_that_re2_would_not_is_no_hit() -> None:
    """An invalid UTF-8 byte: `.` matches it as a byte in Hyperscan, not in RE2; the clean
    line ("a\ufffdb") matches, but as in the RE2 path the raw line decides."""
    data = b"a\xffb\nacb\n"
    assert [h.line for h in hits(["a.b"], data, "hyperscan")] == [2]
    assert hits(["a.b"], data, "hyperscan") == hits(["a.b"], data, "re2")


@needs_hyperscan
@pytest.mark.parametrize(
    ("pattern", "note"),
    [
        ("(?i)error", "hyperscan does not take every pattern"),
        ("[^é]rror", "hyperscan does not take every pattern"),
        ("(?:x\\b){3}", "hyperscan does not take every pattern: Pattern can never match."),
    ],
)
def test_patterns_hyperscan_cannot_take_leave_every_pattern_to_re2(pattern: str, note: str) -> None:
    scanner = Scanner(["ERROR", pattern])
    assert (scanner.engine, scanner.engine_note) == ("re2", note)
    data = b"ok\nERROR one\n"
    assert [h.line for h in scanner.scan(io.BytesIO(data), ScanStats())] == [2]
    with pytest.raises(RuntimeError, match="does not take"):
        Scanner(["ERROR", pattern], engine="hyperscan")


@pytest.mark.parametrize("pattern", ["(?i)x", "[^é]", "\\pL", "\\x41", "[[:alpha:]]", "[ab"])
def test_syntax_outside_the_translated_part_has_no_hyperscan_expression(pattern: str) -> None:
    assert scan.hyperscan_expression(pattern) is None


def test_without_hyperscan_the_scanner_falls_back_to_re2(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "hyperscan", None)  # import hyperscan: ImportError
    scanner = Scanner(["ERROR$"])
    assert scanner.engine == "re2"
    assert scanner.engine_note.startswith("hyperscan unavailable: ")
    data = b"ok\nERROR\nERROR no\n"
    assert [h.line for h in scanner.scan(io.BytesIO(data), ScanStats())] == [2]
    with pytest.raises(RuntimeError, match="hyperscan unavailable"):
        Scanner(["ERROR$"], engine="hyperscan")


def test_the_module_default_engine_applies_when_none_is_named(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(scan, "ENGINE", "re2")
    assert (Scanner(["ERROR"]).engine, Scanner(["ERROR"]).engine_note) == ("re2", "")


@needs_hyperscan
def test_the_compiled_database_is_kept_on_disk_and_a_bad_copy_is_compiled_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AGENT_ENGINE_CACHE_DIR", str(tmp_path / "cache"))
    patterns = ["^kept on disk [0-9]+$", "disk cache"]
    data = b"one\nkept on disk 42\nthe disk cache\n"
    scan._compiled.cache_clear()
    first = hits(patterns, data, "hyperscan")
    [cached] = (tmp_path / "cache").glob("hyperscan-*.db")
    assert [h.line for h in first] == [2, 3]

    written = cached.stat().st_ino
    scan._compiled.cache_clear()
    assert hits(patterns, data, "hyperscan") == first
    assert cached.stat().st_ino == written  # loaded: a compile would have replaced the file

    cached.write_bytes(b"not a database")
    scan._compiled.cache_clear()
    assert hits(patterns, data, "hyperscan") == first
    assert cached.read_bytes() != b"not a database"  # compiled again and rewritten

    for n in range(scan.KEPT_DATABASES + 3):
        hits([f"pattern number {n}"], data, "hyperscan")
    kept = list((tmp_path / "cache").glob("hyperscan-*.db"))
    assert len(kept) == scan.KEPT_DATABASES  # the oldest are removed

    blocked = tmp_path / "file-not-dir"
    blocked.write_text("")
    monkeypatch.setenv("AGENT_ENGINE_CACHE_DIR", str(blocked / "cache"))
    scan._compiled.cache_clear()
    assert hits(patterns, data, "hyperscan") == first  # nowhere to keep it: still works
    scan._compiled.cache_clear()


def test_the_cache_folder_follows_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AGENT_ENGINE_CACHE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", "/tmp/xdg")
    assert scan.cache_dir() == Path("/tmp/xdg/agent-engine")
    monkeypatch.setenv("AGENT_ENGINE_CACHE_DIR", "/tmp/chosen")
    assert scan.cache_dir() == Path("/tmp/chosen")
    monkeypatch.delenv("AGENT_ENGINE_CACHE_DIR")
    monkeypatch.delenv("XDG_CACHE_HOME")
    assert scan.cache_dir() == Path.home() / ".cache" / "agent-engine"


@pytest.mark.skipif(not X86_64, reason="hyperscan is only a dependency on x86-64")
def test_hyperscan_loads_where_it_is_a_dependency() -> None:
    assert hyperscan_loads()
