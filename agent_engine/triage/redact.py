"""Secret redaction: every secret becomes a marker naming its kind, e.g. `[REDACTED:jwt]`."""

from __future__ import annotations

from typing import Any

import re2

_DB_SCHEMES = (
    "postgres|postgresql|mysql|mariadb|mongodb|mongodb\\+srv|redis|rediss|amqp|amqps|mssql"
)
# The names of keys whose values are secret (not a secret itself).
_SECRET_KEYS = "|".join(
    (
        "password",
        "passwd",
        "pwd",
        "secret",
        "token",
        "credentials?",
        "api[_-]?key",
        "access[_-]?key",
        "private[_-]?key",
        "client[_-]?secret",
        "(secret|signing|encryption|master)[_-]?key",
    )
)

# Secrets known by their own shape (no word boundaries: `x_ghp_...` is a token too). They are
# replaced first, so a token after `Bearer ` or `_authToken=` is named by what it is.
_SHAPES: tuple[tuple[str, str], ...] = (
    (
        "private_key",
        r"-----BEGIN[A-Z ]* PRIVATE KEY( BLOCK)?-----(?s:.*?)"
        r"(-----END[A-Z ]* PRIVATE KEY( BLOCK)?-----|\z)",
    ),
    ("github_token", r"(ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9]{36,}"),
    ("github_token", r"github_pat_[A-Za-z0-9_]{22,}"),
    ("jwt", r"eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}"),
    ("aws_access_key", r"(AKIA|ASIA|AGPA|AIDA|AROA|ANPA|ANVA|AIPA)[A-Z0-9]{16}"),
    ("gcp_api_key", r"AIza[0-9A-Za-z_-]{35}"),
    ("slack_token", r"xox[abposr]-[A-Za-z0-9-]{10,}"),
    ("stripe_key", r"[rs]k_(live|test)_[A-Za-z0-9]{16,}"),
    ("npm_token", r"npm_[A-Za-z0-9]{36,}"),
    ("pypi_token", r"pypi-AgE[A-Za-z0-9_-]{50,}"),
)
# Secrets known by what stands before them. Group `keep` stays in front of the marker, `tail`
# after it.
_CONTEXT: tuple[tuple[str, str], ...] = (
    ("azure_key", r"(?P<keep>(?i:AccountKey|SharedAccessKey)=)[^;\s\"']{8,}"),
    ("dsn_password", r"(?P<keep>\b(?i:" + _DB_SCHEMES + r")://[^\s:/@]*:)[^\s@/]+(?P<tail>@)"),
    ("url_credentials", r"(?P<keep>\b[A-Za-z][A-Za-z0-9+.-]+://[^\s:/@]*:)[^\s@/]+(?P<tail>@)"),
    ("bearer", r"(?P<keep>\b(?i:bearer|token|basic)\s+)[A-Za-z0-9._~+/=-]{16,}"),
    (
        "secret_pair",
        r"(?P<keep>(?i:\b[A-Za-z0-9_.-]*(" + _SECRET_KEYS + r"))[\"']?\s*[:=]\s*)"
        r"(\"[^\"\n]+\"|'[^'\n]+'|[^\s\"'&;,\[]+)",
    ),
)
# A PEM body line seen on its own (its BEGIN line is elsewhere): long, base64, mixed case.
_PEM_BODY = re2.compile(r"^\s*[A-Za-z0-9+/]{40,}={0,2}\s*$")
_MARKER = "[REDACTED:{}]"


class _Table:
    """Several secret patterns searched as one RE2 alternation (linear time)."""

    def __init__(self, table: tuple[tuple[str, str], ...]) -> None:
        self._kinds = [kind for kind, _ in table]
        parts = [
            f"(?P<k{i}>{p.replace('?P<keep>', f'?P<keep{i}>').replace('?P<tail>', f'?P<tail{i}>')})"
            for i, (_, p) in enumerate(table)
        ]
        options = re2.Options()
        options.log_errors = False
        options.max_mem = 64 << 20
        self._regex = re2.compile("|".join(parts), options)

    def sub(self, text: str) -> str:
        return str(self._regex.sub(self._replace, text))

    def _replace(self, match: Any) -> str:  # re2 has no type stubs
        groups = match.groupdict()
        index = next(i for i in range(len(self._kinds)) if groups[f"k{i}"] is not None)
        keep = groups.get(f"keep{index}") or ""
        tail = groups.get(f"tail{index}") or ""
        return f"{keep}{_MARKER.format(self._kinds[index])}{tail}"


_BY_SHAPE = _Table(_SHAPES)
_BY_CONTEXT = _Table(_CONTEXT)


def redact(text: str) -> str:
    """Replace every secret in `text` with a marker naming its kind."""
    text = _BY_CONTEXT.sub(_BY_SHAPE.sub(text))
    if "\n" not in text and _looks_like_key_body(text):
        return _MARKER.format("private_key")
    return text


def _looks_like_key_body(line: str) -> bool:
    if _PEM_BODY.match(line) is None:
        return False
    return any(c.isupper() for c in line) and any(c.islower() for c in line)
