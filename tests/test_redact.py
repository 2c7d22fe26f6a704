"""R4: every kind of secret is replaced by a marker naming its kind, in every output."""

from __future__ import annotations

import pytest

from agent_engine.triage.classify import Classifier
from agent_engine.triage.redact import redact
from tests.builders import text_log

GH = "ghp_" + "A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8"
# (kind, line containing the secret, the secret itself)
SECRETS = [
    ("github_token", f"remote: token {GH} rejected", GH),
    ("github_token", "using gho_" + "x" * 36, "gho_" + "x" * 36),
    ("github_token", "using ghu_" + "y" * 36, "ghu_" + "y" * 36),
    ("github_token", "using ghs_" + "z" * 36, "ghs_" + "z" * 36),
    ("github_token", "using ghr_" + "w" * 36, "ghr_" + "w" * 36),
    (
        "github_token",
        "pat github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz",
        "github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz",
    ),
    (
        "jwt",
        "cookie eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9",
        "eyJzdWIiOiIxMjM0NTY3ODkwIn0",
    ),
    ("aws_access_key", "aws_access_key_id AKIAIOSFODNN7EXAMPLE", "AKIAIOSFODNN7EXAMPLE"),
    (
        "gcp_api_key",
        "key=AIzaSyDdI0hCZtE6vySjMm-WEfRq3CPzqKqqsHI",
        "AIzaSyDdI0hCZtE6vySjMm-WEfRq3CPzqKqqsHI",
    ),
    ("slack_token", "hook xoxb-1234567890-abcdefghijkl", "xoxb-1234567890-abcdefghijkl"),
    ("stripe_key", "sk_live_4eC39HqLyjWDarjtT1zdp7dc", "sk_live_4eC39HqLyjWDarjtT1zdp7dc"),
    ("npm_token", "//registry.npmjs.org/:_authToken=npm_" + "a" * 36, "npm_" + "a" * 36),
    (
        "azure_key",
        "DefaultEndpointsProtocol=https;AccountKey=abc123DEF456ghi789==;",
        "abc123DEF456ghi789",
    ),
    ("dsn_password", "postgresql://app:s3cr3t-pw@db:5432/shop refused", "s3cr3t-pw"),
    ("dsn_password", "mysql://root:hunter22@127.0.0.1/x", "hunter22"),
    (
        "url_credentials",
        "git clone https://ci-bot:Zx9Qw8Er7Ty6@git.example.com/a.git",
        "Zx9Qw8Er7Ty6",
    ),
    ("bearer", "Authorization: Bearer abcdefghijklmnop1234567890", "abcdefghijklmnop1234567890"),
    ("secret_pair", "DJANGO_SECRET_KEY= not-so-secret-value-42", None),
    ("secret_pair", "password=Tr0ub4dor&3", "Tr0ub4dor"),
    ("secret_pair", '{"api_key": "k-123-456-789"}', "k-123-456-789"),
    ("secret_pair", "export DB_PASSWORD='correct horse battery'", "correct horse battery"),
]
PEM = (
    "-----BEGIN RSA PRIVATE KEY-----\n"
    "MIIEowIBAAKCAQEA3Tz2mr7SZiAMfQyuvBjM9Oi2JHsZ0pL3b8sWpVxT1kQ2nYcR\n"
    "-----END RSA PRIVATE KEY-----"
)


@pytest.mark.parametrize(("kind", "line", "secret"), SECRETS)
def test_each_secret_kind_is_replaced_by_its_marker(
    kind: str, line: str, secret: str | None
) -> None:
    redacted = redact(line)
    assert f"[REDACTED:{kind}]" in redacted
    if secret is not None:
        assert secret not in redacted


def test_a_pem_block_and_a_lone_key_body_line() -> None:
    assert redact(f"key:\n{PEM}\nafter") == "key:\n[REDACTED:private_key]\nafter"
    assert redact("MIIEowIBAAKCAQEA3Tz2mr7SZiAMfQyuvBjM9Oi2JHsZ0pL3b8sWpVxT1kQ2nYcR") == (
        "[REDACTED:private_key]"
    )


@pytest.mark.parametrize(
    "line",
    [
        "max_tokens=100 tokens: 5",
        "commit 0123456789abcdef0123456789abcdef01234567",
        "E   AssertionError: assert 404 == 200",
        "already [REDACTED:jwt] here",
    ],
)
def test_ordinary_text_is_left_alone(line: str) -> None:
    assert redact(line) == line


def test_no_secret_reaches_evidence_context_or_json(classifier: Classifier) -> None:
    """Secrets on the deciding line and around it never leave the classifier."""
    lines = [line for _, line, _ in SECRETS]
    log = text_log(
        "e2e.log",
        *lines[:10],
        'psycopg.OperationalError: connection to server at "db" (postgresql://app:s3cr3t-pw@db/x)'
        ", port 5432 failed: Connection refused",
        *lines[10:],
        *PEM.splitlines(),
        "FAILED e2e/test_login.py::test_login - password=Tr0ub4dor&3",
    )
    verdict = classifier.classify([log])
    dumped = verdict.model_dump_json()
    assert verdict.error_type.value == "database_unavailable"
    assert len(verdict.evidence[0].context) == 6
    for _, _, secret in SECRETS:
        if secret is not None:
            assert secret not in dumped
    assert "MIIEowIBAAKCAQEA3Tz2mr7SZiAMfQyuvBjM9Oi2JHsZ0pL3b8sWpVxT1kQ2nYcR" not in dumped
    assert "[REDACTED:dsn_password]" in verdict.evidence[0].text
