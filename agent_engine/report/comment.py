"""The sticky PR comment: one markdown body per PR, found again by its hidden marker, with a
section per kind of news; in each, the verdict once, its evidence, and one line per group of
failed tests that broke the same way (what, where, how many, new or not, the next step)."""

from __future__ import annotations

import re
import shlex
from urllib.parse import quote

from agent_engine.report.history import FailedTestRecord, RunRecord, said
from agent_engine.taxonomy import TAXONOMY, BlockerType, ErrorType
from agent_engine.triage.signature import normalise

MARKER = "<!-- agent-engine:pr-comment -->"
MAX_BODY = 60_000  # GitHub refuses comment bodies over 65,536 characters
_INFRA = (BlockerType.INFRASTRUCTURE, BlockerType.TRANSIENT, BlockerType.EXTERNAL)


def render(run: RunRecord, page_url: str = "") -> str:
    """The comment's markdown for this run (the same text goes to the job summary)."""
    links = [f"[run page]({page_url})"] if page_url else []
    if run.url:
        links.append(f"[artifacts]({run.url}#artifacts)")
    head = [MARKER, " · ".join([f"### Agent Engine · run {run.run_id} ({run.job})", *links]), ""]
    if run.outcome == "success":
        passed = f"✅ All {run.tests.total} tests passed on `{run.sha[:7]}`."
        return "\n".join([*head, passed]) + "\n"
    sections: list[tuple[str, list[str]]] = []
    blocker = _blocker(run.error_type)
    heal = run.self_heal
    healed = heal is not None and heal.verdict == "healed"
    if blocker is BlockerType.CODE and not run.failing_on_base and not healed:
        sections.append(("New failures caused by this change", [_verdict(run)]))
    if run.flaky_tests:
        passed_by = "the self-heal rerun" if healed else "another run"
        sections.append(
            (
                "Flaky",
                [
                    f"- `{_code(t)}`: failed in attempt {run.run_attempt}, passed in {passed_by}"
                    " → rerun; quarantine it if it keeps flaking"
                    for t in run.flaky_tests[:10]
                ],
            )
        )
    if run.failing_on_base:
        sections.append(("Already failing on the base branch", [_verdict(run)]))
    if blocker in _INFRA and not run.failing_on_base:
        outcome = f"**{heal.verdict}**, {heal.reason or heal.decision_reason}" if heal else ""
        did = f" — Self-heal: {outcome}" if heal else ""
        sections.append(("Infrastructure", [_verdict(run, did)]))
    if heal and healed:
        actions = ", ".join(f"`{a.action}`" for a in heal.actions) or "a rerun"
        sections.append(("Healed by self-heal", [f"- {heal.reason} ({actions})"]))
    if run.fix and run.fix.patch:
        sections.append(("A fix patch is ready", _fix(run)))
    body = []
    for title, items in sections:
        body += [f"#### {title}", "", *items, ""]
    text = "\n".join(head + body).rstrip() + "\n"
    if len(text) > MAX_BODY and "\n<details>" in text:  # the patch does not fit: point to it
        where = f" ({' · '.join(links)})" if links else ""
        text = text[: text.index("\n<details>")] + f"\n(the patch is in the artifact{where})\n"
    return text if len(text) <= MAX_BODY else text[:MAX_BODY] + "\n\n…(cut; see the dashboard)\n"


def _fix(run: RunRecord) -> list[str]:
    """The patch: what it changes (each healed locator, before → after), the verdict of its
    validation, and the diff itself in a collapsed block."""
    fix = run.fix
    assert fix is not None
    named = fix.outcome == "needs_manual_review"
    review = " — **needs manual review**" if fix.needs_manual_review and not named else ""
    items = [
        f"- `{fix.patch_file}` ({fix.outcome.replace('_', ' ')}{review}): {fix.reason}. "
        f"Suggested branch `{fix.branch}`; in the run's `fix-agent` artifact. Nothing was pushed."
    ]
    healed = [h for h in fix.heals if h.replacement]
    for h in healed[:5]:
        at = f" at {_link(run, h.file, h.line)}" if h.file else ""
        tests = f", for {_count(len(h.tests))}" if len(h.tests) > 1 else ""
        items.append(
            f"  - `{_code(h.locator)}` → `{_code(h.replacement)}`{at} "
            f"(score {h.score:.2f}, margin {h.margin:.2f}{tests})"
        )
    if not healed:
        items += [
            f"  - `{_code(before)}` → `{_code(after)}`"
            for before, after in _changed_lines(fix.patch)[:5]
        ]
    fence = "~~~~"  # a diff may hold backticks; it never holds this fence on its own line
    added, removed = _size(fix.patch)
    return [
        *items,
        "",
        f"<details><summary>The patch (+{added}, -{removed})</summary>",
        "",
        f"{fence}diff",
        fix.patch.replace(f"\n{fence}", "\n~~~ ~").rstrip(),
        fence,
        "</details>",
    ]


def _blocker(error_type: str) -> BlockerType | None:
    try:
        return TAXONOMY[ErrorType(error_type)].blocker
    except ValueError:
        return None


def _verdict(run: RunRecord, extra: str = "") -> str:
    """The verdict once, its first evidence line, then one line per group of failed tests
    that broke the same way: what broke, where, how many, new or not, and what to do."""
    summary = said(run.summary)  # the summary starts with the verdict too
    # The summary quotes the log, which a pull request's author controls: in a code span, it
    # can neither render as HTML (a `<Page url=...>` vanishes) nor become a link or an image.
    lines = [f"- **{run.error_type}** ({run.confidence:.0%} confidence): `{_code(summary)}`{extra}"]
    if run.evidence:
        first = run.evidence[0]
        same = sum(e.text == first.text for e in run.evidence)
        times = f" (×{same})" if same > 1 else ""
        lines.append(f"  - evidence `{first.log}:{first.line}`{times}: `{_code(first.text)}`")
    groups = _groups(run)
    for tests in groups[:5]:
        lines.append(f"  - {_group_line(run, tests)}")
    if len(groups) > 5:
        rest = sum(len(g) for g in groups[5:])
        lines.append(f"  - … and {_count(rest)} more in {len(groups) - 5} more group(s)")
    if run.reproduce:
        lines.append(f"  - reproduce: {_command(run.reproduce)}")
    return "\n".join(lines)


def _groups(run: RunRecord) -> list[list[FailedTestRecord]]:
    """Failed tests grouped by what broke: the locator and action, else the message's first
    line with its numbers blurred (`Timeout 5000ms`, ids); largest group first."""
    grouped: dict[tuple[str, ...], list[FailedTestRecord]] = {}
    for test in run.failed_tests:
        first = test.message.strip().splitlines()[0] if test.message.strip() else ""
        key = (test.locator, test.action) if test.locator else ("", normalise(first))
        grouped.setdefault(key, []).append(test)
    return sorted(grouped.values(), key=lambda g: -len(g))


def _group_line(run: RunRecord, tests: list[FailedTestRecord]) -> str:
    first = tests[0]
    if first.locator:
        what = f"`{_code(first.locator)}`" + (f" ({first.action})" if first.action else "")
    else:
        message = first.message.strip().splitlines()[0] if first.message.strip() else ""
        what = f"`{_code(message[:160])}`" if message else "a failure with no message"
    where = f" at {_link(run, first.file, first.line)}" if first.file else ""
    names = ", ".join(f"`{_code(t.id.rsplit('::', 1)[-1])}`" for t in tests[:3])
    more = ", …" if len(tests) > 3 else ""
    flaky = all(t.id in run.flaky_tests for t in tests)
    healed = (
        run.fix is not None
        and run.fix.outcome == "validated"
        and any(h.replacement and h.locator == first.locator for h in run.fix.heals)
    )
    if flaky:
        status, step = "flaky", "rerun; quarantine it if it keeps flaking"
    elif run.failing_on_base:
        status, step = "already failing on the base branch", "fix it on the base branch first"
    else:
        seen = f"seen in {run.seen_before} earlier run(s)" if run.seen_before else "new"
        status, step = seen, _first_sentence(run.next_step)
    if healed:
        step = "apply the validated patch below"
    count = f"×{len(tests)} tests" if len(tests) > 1 else "1 test"
    return f"{what}{where} · {count}: {names}{more} · **{status}** → {step}"


def _link(run: RunRecord, file: str, line: int | None) -> str:
    """`file:line`, linked to the commit's file on GitHub when the path is the repository's."""
    text = f"{file}:{line}" if line else file
    relative = file and not file.startswith(("/", "..")) and "://" not in file
    on_github = run.url.startswith(f"https://github.com/{run.repository}/")
    if not (relative and on_github and len(run.sha) == 40):
        return f"`{_code(text)}`"
    anchor = f"#L{line}" if line else ""
    path = quote(file)
    return f"[`{_code(text)}`](https://github.com/{run.repository}/blob/{run.sha}/{path}{anchor})"


def _first_sentence(text: str) -> str:
    first = re.split(r"(?<=[.;])\s", text.strip(), maxsplit=1)[0]
    return first.rstrip(".;") or "see the run page"


def _count(n: int) -> str:
    return f"{n} test{'s' if n != 1 else ''}"


def _size(patch: str) -> tuple[int, int]:
    lines = patch.splitlines()
    added = sum(x.startswith("+") and not x.startswith("+++") for x in lines)
    removed = sum(x.startswith("-") and not x.startswith("---") for x in lines)
    return added, removed


MAX_COMMAND = 300


def _command(command: str) -> str:
    """The reproduce command in a code span, never cut inside a word or a quote: when it is
    long, what does not fit is counted after it."""
    try:
        words = shlex.split(command)
    except ValueError:
        return f"`{_code(command)}`"
    kept: list[str] = []
    for word in words:
        if kept and len(shlex.join([*kept, word])) > MAX_COMMAND:
            break
        kept.append(word)
    rest = len(words) - len(kept)
    more = f" (and {rest} more argument{'s' if rest > 1 else ''})" if rest else ""
    return f"`{shlex.join(kept).replace('`', chr(39))}`{more}"


def _changed_lines(patch: str) -> list[tuple[str, str]]:
    """(removed, added) line pairs of a unified diff, in order."""
    lines = patch.splitlines()
    removed = [x[1:].strip() for x in lines if x.startswith("-") and not x.startswith("---")]
    added = [x[1:].strip() for x in lines if x.startswith("+") and not x.startswith("+++")]
    return list(zip(removed, added, strict=False))


def _code(text: str) -> str:
    """Inline code that cannot break out of its backticks or run long."""
    return text.replace("`", "'").replace("\n", " ").strip()[:300]
