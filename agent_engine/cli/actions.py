"""GitHub Actions I/O: workflow-command annotations, only when running inside Actions."""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from typing import Literal, TextIO

Level = Literal["error", "warning", "notice"]


def in_actions(environ: Mapping[str, str] | None = None) -> bool:
    return (environ if environ is not None else os.environ).get("GITHUB_ACTIONS") == "true"


def escape(message: str) -> str:
    """Escape a message for a workflow command (runner's `escapeData`)."""
    return message.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def annotate(
    level: Level,
    message: str,
    *,
    stream: TextIO | None = None,
    environ: Mapping[str, str] | None = None,
) -> None:
    """Print `::error::message` (or warning/notice) when running inside GitHub Actions."""
    if in_actions(environ):
        print(f"::{level}::{escape(message)}", file=stream or sys.stdout)
