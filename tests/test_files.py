"""Atomic writes: the document appears whole or not at all."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from agent_engine.errors import InputError
from agent_engine.files import write_atomic


def test_write_creates_folders_and_replaces_whole_files(tmp_path: Path) -> None:
    target = tmp_path / "a" / "b" / "doc.json"
    write_atomic(target, "{}\n")
    write_atomic(target, '{"x": 1}\n')
    assert target.read_text() == '{"x": 1}\n'
    assert os.listdir(target.parent) == ["doc.json"]


def test_a_failed_write_leaves_the_old_file_and_no_temporary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "doc.json"
    write_atomic(target, "old\n")

    def refuse(src: str, dst: str) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", refuse)
    with pytest.raises(OSError, match="disk full"):
        write_atomic(target, "new\n")
    assert target.read_text() == "old\n"
    assert os.listdir(tmp_path) == ["doc.json"]


def test_errors_carry_their_next_step() -> None:
    error = InputError("x.log: cannot read", next_step="pass an existing file")
    body = error.body(request_id="r-9")
    assert (body.error_code, body.next_step, body.request_id) == (
        "invalid_input",
        "pass an existing file",
        "r-9",
    )
