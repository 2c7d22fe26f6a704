"""R4: every kind of secret is replaced by a marker naming its kind, in every output."""

from __future__ import annotations

import random
import re
import string
import tomllib
import uuid
from pathlib import Path

import pytest
import re2

from agent_engine.errors import InputError
from agent_engine.triage import redact as redact_module
from agent_engine.triage.classify import Classifier
from agent_engine.triage.redact import (
    Masks,
    RedactionError,
    redact,
    redact_all,
    redact_or_refuse,
)
from tests.builders import text_log

FORMATS_FILE = Path(__file__).parent / "fixtures" / "secrets" / "formats.toml"
_ALPHABETS = {
    "alnum": string.ascii_letters + string.digits,
    "lowalnum": string.ascii_lowercase + string.digits,
    "upalnum": string.ascii_uppercase + string.digits,
    "digits": string.digits,
    "hex": "0123456789abcdef",
    "HEX": "0123456789ABCDEF",
    "lower": string.ascii_lowercase,
    "upper": string.ascii_uppercase,
    "b64": string.ascii_letters + string.digits + "+/",
    "b64url": string.ascii_letters + string.digits + "-_",
    "bech32": "qpzry9x8gf2tvdw0s3jn54khce6mua7l".upper(),
}
_RUN = re.compile(r"\{(uuid|[A-Za-z0-9]+:[0-9]+)\}")


def _expand(shape: str, rng: random.Random) -> str:
    """`ghp_{alnum:36}` -> `ghp_` and 36 random letters and digits."""

    def run(match: re.Match[str]) -> str:
        if match[1] == "uuid":
            return str(uuid.UUID(int=rng.getrandbits(128), version=4))
        alphabet, size = match[1].split(":")
        return "".join(rng.choices(_ALPHABETS[alphabet], k=int(size)))

    return _RUN.sub(run, shape)


def _formats() -> list[tuple[str, str, tuple[str, ...], str]]:
    """(id, kind, the secrets, the text they appear in) for each format of the fixture file."""
    formats = []
    for entry in tomllib.loads(FORMATS_FILE.read_text())["format"]:
        rng = random.Random(entry["id"])
        secrets = tuple(_expand(entry[k], rng) for k in ("secret", "secret2") if k in entry)
        text = _expand(entry.get("text", "{secret}"), rng)
        for name, secret in zip(("{secret}", "{secret2}"), secrets, strict=False):
            text = text.replace(name, secret)
        formats.append((entry["id"], entry["kind"], secrets, text))
    return formats


FORMATS = _formats()
# Where a secret turns up: a runner's log line, pytest's summary of a failure, a test id (its
# parameters are printed in it) and a URL's query.
EMBEDDINGS = {
    "log-line": "2026-03-05T10:11:12.1234567Z [deploy] INFO {} (attempt 2/3)",
    "pytest-failure": (
        "FAILED tests/test_api.py::test_login - AssertionError: expected 200, got 401 for {}"
    ),
    "test-id": "tests/test_api.py::test_login[{}]",
    "url": "https://ci.example.com/api/v4/jobs/42/trace?filter={}&page=2",
}


def test_the_table_has_at_least_80_formats_and_every_required_family() -> None:
    assert len(FORMATS) >= 80
    kinds = {kind for _, kind, _, _ in FORMATS}
    assert len(kinds) >= 60
    required = {
        "openai_key", "anthropic_key", "huggingface_token", "gitlab_token", "slack_webhook",
        "discord_webhook", "sendgrid_key", "twilio_key", "twilio_auth_token", "azure_sas",
        "azure_key", "basic_auth", "secret_pair", "cli_secret", "cookie", "dsn_password",
        "shopify_token", "mailgun_key", "mailchimp_key", "datadog_key", "newrelic_key",
        "heroku_key", "digitalocean_token", "linear_key", "notion_token", "atlassian_token",
        "sentry_dsn", "sentry_token", "doppler_token", "vault_token", "terraform_token",
        "planetscale_token", "postman_key", "databricks_token", "grafana_token", "square_token",
        "braintree_token", "facebook_token", "twitter_bearer", "google_oauth_secret",
        "google_refresh_token", "fcm_server_key", "alibaba_access_key", "tencent_secret_id",
        "age_secret_key", "private_key", "generic_secret",
    }  # fmt: skip
    assert required <= kinds


@pytest.mark.parametrize("embedding", list(EMBEDDINGS))
@pytest.mark.parametrize(
    ("kind", "secrets", "text"),
    [pytest.param(kind, secrets, text, id=name) for name, kind, secrets, text in FORMATS],
)
def test_every_format_is_redacted_wherever_it_appears(
    kind: str, secrets: tuple[str, ...], text: str, embedding: str
) -> None:
    line = EMBEDDINGS[embedding].format(text)
    redacted = redact(line)
    for secret in secrets:
        assert secret not in redacted
    assert "[REDACTED:" in redacted
    if embedding == "log-line":
        assert f"[REDACTED:{kind}]" in redacted
    assert redact(redacted) == redacted


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


# --- blocks over several lines ------------------------------------------------------------------
def test_a_pem_block_and_a_lone_key_body_line() -> None:
    assert redact(f"key:\n{PEM}\nafter") == "key:\n[REDACTED:private_key]\nafter"
    assert redact("MIIEowIBAAKCAQEA3Tz2mr7SZiAMfQyuvBjM9Oi2JHsZ0pL3b8sWpVxT1kQ2nYcR") == (
        "[REDACTED:private_key]"
    )


@pytest.mark.parametrize(
    "block",
    [
        "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ\n"
        "AAAAAAAAAAEAAAAzAAAAC3NzaC1lZDI1NTE5AAAAIBq0Y\n-----END OPENSSH PRIVATE KEY-----",
        "-----BEGIN PGP PRIVATE KEY BLOCK-----\n\nlQOYBGXr0ZsBCADHkq2Hn4NQp5FYj0o\n=Xq9T\n"
        "-----END PGP PRIVATE KEY BLOCK-----",
        "-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEIBq0YxRz8vT3kPq0Nn2Ww1t9Y7a6c4J3oB0wYw\n"
        "-----END EC PRIVATE KEY-----",
        "PuTTY-User-Key-File-3: ssh-ed25519\nEncryption: none\nPublic-Lines: 2\n"
        "AAAAC3NzaC1lZDI1NTE5AAAAIBq0YxRz8vT3kPq0\nPrivate-Lines: 1\n"
        "AAAAIHk2cT9bX3w4L1pQm0vNn7Zr2sD8fG6hJ5kE3a\nPrivate-MAC: 5b1f0c9e2d7a4b3c",
    ],
    ids=["openssh", "pgp", "ec", "putty"],
)
def test_ssh_pgp_and_putty_private_keys(block: str) -> None:
    redacted = redact(f"$ cat id_key\n{block}\n$ ssh-add id_key")
    assert redacted == "$ cat id_key\n[REDACTED:private_key]\n$ ssh-add id_key"


def test_a_key_block_without_its_end_is_redacted_to_the_end() -> None:
    assert redact("x\n-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkq\nmore") == (
        "x\n[REDACTED:private_key]"
    )


KUBECTL_SECRET = """\
$ kubectl get secret ci-bot -o yaml
apiVersion: v1
data:
  ca.crt: LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCk1JSUM=
  namespace: ZGVmYXVsdA==
  token: ZXlKaGJHY2lPaUpTVXpJMU5pSXNJbXRwWkNJNklp
kind: Secret
metadata:
  name: ci-bot
type: kubernetes.io/service-account-token
"""


def test_a_kubernetes_secret_has_every_data_value_replaced() -> None:
    redacted = redact(KUBECTL_SECRET)
    for value in ("LS0tLS1CRUdJTiBD", "ZGVmYXVsdA==", "ZXlKaGJHY2lPaUpT"):
        assert value not in redacted
    assert "  namespace: [REDACTED:kubernetes_secret]\n" in redacted
    assert "kind: Secret\nmetadata:\n  name: ci-bot\n" in redacted
    assert redact(redacted) == redacted


def test_a_manifest_with_string_data_and_a_block_value() -> None:
    manifest = (
        "apiVersion: v1\nkind: Secret\nmetadata:\n  name: app\nstringData:\n"
        "  DATABASE_URL: postgres://app@db/shop\n  config.yaml: |\n    apiKey: Zq8pLk2Xw\n"
        "    region: eu\ntype: Opaque\n"
    )
    redacted = redact(manifest)
    assert "postgres://app@db/shop" not in redacted
    assert "Zq8pLk2Xw" not in redacted
    assert "region: eu" not in redacted
    assert "  config.yaml: |\n" in redacted
    assert redacted.endswith("type: Opaque\n")


def test_secrets_listed_by_kubectl_are_replaced_item_by_item() -> None:
    listing = (
        "apiVersion: v1\nitems:\n- apiVersion: v1\n  data:\n    password: aHVudGVyMg==\n"
        "    empty:\n    username: Y2ktYm90\n  kind: Secret\n  metadata:\n    name: db\n"
        "kind: List\n"
    )
    redacted = redact(listing)
    assert "aHVudGVyMg==" not in redacted
    assert "Y2ktYm90" not in redacted
    assert "    empty:\n" in redacted
    assert "  kind: Secret\n  metadata:\n    name: db\nkind: List\n" in redacted


def test_a_config_map_alone_keeps_its_data() -> None:
    config_map = "kind: ConfigMap\ndata:\n  LOG_LEVEL: debug\n  PORT: '8080'\n"
    assert redact(config_map) == config_map


def test_pypirc_and_netrc_files() -> None:
    pypirc = "[distutils]\nindex-servers = pypi\n[pypi]\nusername = ci\npassword = Zx9-Qw8.Er7\n"
    assert redact(pypirc).endswith("password = [REDACTED:secret_pair]\n")
    netrc = "machine github.com\n  login ci-bot\n  password 7fQk2Lx9Pz\n"
    assert "7fQk2Lx9Pz" not in redact(netrc)


# --- ANSI colours -------------------------------------------------------------------------------
def test_a_token_split_by_colour_codes_does_not_survive() -> None:
    line = f"token: \x1b[31m{GH[:20]}\x1b[0m{GH[20:]} \x1b[1mok\x1b[0m"
    assert redact(line) == "token: [REDACTED:github_token] ok"


def test_a_pair_split_by_colour_codes_does_not_survive() -> None:
    line = "\x1b[32mpassword=\x1b[0mhunter2hunter2\x1b]8;;https://x\x07 done\x1b"
    assert redact(line) == "password=[REDACTED:secret_pair] done"


# --- ::add-mask:: -------------------------------------------------------------------------------
def test_values_declared_with_add_mask_are_masked_everywhere_in_the_text() -> None:
    log = (
        "early s3cr3t-deploy-value\n"
        "::add-mask::s3cr3t-deploy-value\n"
        "+ echo '::add-mask::other value 42'\n"
        "deploying with s3cr3t-deploy-value and other value 42\n"
    )
    assert redact(log) == (
        "early [REDACTED:masked]\n"
        "::add-mask::[REDACTED:masked]\n"
        "+ echo '::add-mask::[REDACTED:masked]'\n"
        "deploying with [REDACTED:masked] and [REDACTED:masked]\n"
    )


def test_masks_learn_values_and_apply_them_to_other_texts() -> None:
    masks = Masks()
    # The runner unescapes a command's data (`%25` is `%`, `%0A` a line break); too short: `ab`.
    learnt = masks.learn(
        "::add-mask::first-value\n::add-mask::pa%25ss%0Aline-two\n::add-mask::ab\n"
    )
    assert learnt == ["first-value", "pa%25ss%0Aline-two", "pa%ss", "line-two"]
    assert masks.learn("::add-mask::first-value") == []
    assert masks.values == ("first-value", "pa%25ss%0Aline-two", "pa%ss", "line-two")
    assert masks.apply("x first-value pa%ss ab") == "x [REDACTED:masked] [REDACTED:masked] ab"
    assert redact("later: first-value", masks=masks) == "later: [REDACTED:masked]"
    assert Masks(["given"]).apply("a given b") == "a [REDACTED:masked] b"
    assert Masks().apply("nothing") == "nothing"


def test_a_short_value_is_not_masked_inside_a_longer_ones_marker() -> None:
    masks = Masks(["REDACTED", "masked-longer-value", "mask"])
    assert masks.apply("masked-longer-value mask") == "[REDACTED:masked] [REDACTED:masked]"
    assert masks.apply("[REDACTED:github_token]") == "[REDACTED:github_token]"
    assert Masks(["abcdef"]).apply("abc[REDACTED:jwt]def") == "abc[REDACTED:jwt]def"


def test_variables_in_the_steps_script_are_not_masks() -> None:
    masks = Masks()
    log = '::add-mask::$TOKEN\n::add-mask::${{ secrets.TOKEN }}\necho "::add-mask::${TOKEN}"\n'
    assert masks.learn(log) == []


def test_too_many_masks_are_refused_rather_than_applied_partly() -> None:
    log = "".join(f"::add-mask::value-{n:06d}\n" for n in range(redact_module.MAX_MASKS + 1))
    with pytest.raises(RedactionError, match="add-mask") as raised:
        redact(log)
    assert isinstance(raised.value, InputError)


# --- what must stay as it is --------------------------------------------------------------------
NEGATIVES = [
    "max_tokens=100 tokens: 5",
    "token_count=12 prompt_tokens=7 completion_tokens=5",
    "commit 0123456789abcdef0123456789abcdef01234567",
    "HEAD is now at 3f9c2e1 fix: password reset link expired too early",
    "E   AssertionError: assert 404 == 200",
    "already [REDACTED:jwt] here",
    "request_id=6f1c2d3e-4b5a-4c7d-8e9f-0a1b2c3d4e5f trace_id=0af7651916cd43dd8448eb211c80319c",
    "GET /accounts/password_reset/ HTTP/1.1 200 1532",
    "GET /accounts/password_reset/done/?next=/login/ 302",
    "PASSED tests/test_auth.py::test_password_reset_email_is_sent",
    "tests/test_auth.py::test_token_refresh[expired] FAILED",
    'img src="data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="',
    ".btn-primary { color: #1a73e8; background-color: #fff; border: 1px solid #dadce0; }",
    "User(id=42, name='bob', email='bob@example.com', is_active=True)",
    "Namespace(token=None, password=None, verbose=True, workers=4)",
    "<Response [401]> {'detail': 'Invalid token.'}",
    "WARNING: Bearer authentication failed: token expired",
    "Cache restored from key: node-cache-Linux-x64-npm-6ac4f3b1e2d9c0a7b8f6e5d4c3b2a1f0e9d8c7b6",
    "#12 sha256:4f4fb700ef54461cfa02571ae0db9a0dc1e0cdb5577484a6d75e68dc38e8acc1 32B / 32B done",
    "Downloading https://files.pythonhosted.org/packages/py3/r/requests/requests-2.32.3-py3-none-any.whl (64 kB)",
    "  env:\n    GITHUB_TOKEN: ***\n    NPM_TOKEN: ${{ secrets.NPM_TOKEN }}\n    pythonLocation: /opt/hostedtoolcache/Python/3.11.7/x64",
    "PWD=/home/runner/work/shop/shop OLDPWD=/home/runner",
    "docker login -u ci-bot -p $DOCKER_PASSWORD ghcr.io",
    "docker login ghcr.io -u ci-bot --password-stdin",
    "mysql -h db -u root -p shop",
    "git fetch https://gitlab-ci-token:[MASKED]@gitlab.example.com/team/project.git",
    "Received 119537664 of 246415139 (48.5%), 113.9 MBs/sec",
    "        token = _async_local_storage.set(self)",
    "test_auth::test_a_wrong_password_is_refused[chromium]",
    "tests/test_api.py::TestToken::test_refresh_rotates_the_secret[chromium]",
    "    assert token == expected_token",
    "    client.login(username=username, password=password)",
    "def login(self, password: str, token: Optional[str] = None) -> None:",
    "        config.hook.pytest_runtestloop(session=session)",
    "    password = form.password.data",
    "Cookie consent banner dismissed",
    "Run actions/checkout@v4 with: token: *** ssh-strict: true persist-credentials: true",
    "postgres://db.internal:5432/shop?sslmode=require",
    "https://registry.npmjs.org:443/@types/node/-/node-20.11.0.tgz",
    "Basic information about the build is available at https://ci.example.com/builds/42",
    "A Basic understanding of YAML is assumed",
    "api_version_timestamp=20240305101112123456",
    "secrets: inherit",
    "2026-03-05T10:11:12.1234567Z ##[group]Run pytest -q --maxfail=1",
    "#8 [build 3/7] RUN --mount=type=secret,id=npmrc,target=/root/.npmrc npm ci",
    "#9 writing image sha256:5d0da3dc976460b72c77d94c8a1ad043720b0416bfc16c52c45d4847e53fadb6 done",
    "Error: Input required and not supplied: token",
    "::error file=app.py,line=10,col=15::Missing password argument",
    "FAILED tests/test_api.py::test_token_refresh[expired-token] - KeyError: 'access_token'",
    "session_timeout=3600 SECRET_NAME: prod/db/credentials",
    '    auth_test.go:42: expected token "", got "abc"',
    "Temporarily overriding HOME='/home/runner/work/_temp/4c1f' before making global git config",
    "::add-mask::",
    "",
]


@pytest.mark.parametrize("line", NEGATIVES)
def test_ordinary_text_is_left_alone(line: str) -> None:
    assert redact(line) == line


# --- hostile input ------------------------------------------------------------------------------
HOSTILE = {
    "token-pairs": "token=abcdefgh1234 " * 100_000,
    "short-pairs": "token=x " * 200_000,
    "equals-run": "token=" * 200_000,
    "letters": "a" * 2_000_000,
    "begin-without-end": "-----BEGIN RSA PRIVATE KEY-----" + "A" * 2_000_000,
    "colour-split-pairs": "\x1b[31mpassword=\x1b[0mhunter22 " * 60_000,
    "unterminated-quotes": 'password: "' + "x" * 2_000_000,
    "login-lines": "docker login " * 150_000,
    "distinct-pairs": "".join(f"token=v{n}x{n * 7919 % 1000003} " for n in range(100_000)),
    "many-masks": "".join(f"::add-mask::mask-{n:03d}-{n * 7919 % 10007:05d}\n" for n in range(200))
    + " ".join(f"mask-{n:03d}-{n * 7919 % 10007:05d}" for n in range(200)) * 500,
    "one-cookie-header": "Cookie: " + "a=b; " * 300_000,
}


@pytest.mark.parametrize("text", list(HOSTILE.values()), ids=list(HOSTILE))
def test_hostile_input_is_redacted_in_linear_time(text: str) -> None:
    # ~2 MB each takes well under a second; anything quadratic would blow far past the budget.
    redacted = redact_or_refuse(text, budget_s=30)
    assert redact(redacted) == redacted


def test_a_redaction_over_its_budget_is_refused_not_returned() -> None:
    with pytest.raises(RedactionError, match="took longer than") as raised:
        redact_or_refuse("token=abcdefgh1234 " * 50_000, budget_s=0)
    assert isinstance(raised.value, InputError)
    assert raised.value.code == "redaction_refused"
    assert redact_or_refuse("password=hunter2", budget_s=5) == "password=[REDACTED:secret_pair]"


def test_the_texts_of_a_batch_share_their_masks_and_one_budget() -> None:
    texts = ["first log, before: v4lue-declared-later", "::add-mask::v4lue-declared-later", "ok"]
    assert redact_all(texts) == [
        "first log, before: [REDACTED:masked]",
        "::add-mask::[REDACTED:masked]",
        "ok",
    ]
    with pytest.raises(RedactionError, match="took longer than"):
        redact_all(["fine", "token=abcdefgh1234 " * 50_000], budget_s=0)


@pytest.mark.parametrize(
    ("escaped", "secret"),
    [
        ('<failure message="login({&quot;password&quot;: &quot;hunter22x&quot;})">', "hunter22x"),
        ("config: api_key=&#39;k-9Qw8-Er7T&#39; loaded", "k-9Qw8-Er7T"),
        ("&lt;password&gt;92sd&amp;LgQv&lt;/password&gt;", "LgQv"),
        ('&lt;add key="ClearTextPassword" value="Sfw&amp;VWmw" /&gt;', "VWmw"),
        ("&lt;add key=&quot;ApiToken&quot; value=&quot;q8Zx7Yw6&quot; /&gt;", "q8Zx7Yw6"),
    ],
)
def test_xml_escaped_pairs_are_redacted(escaped: str, secret: str) -> None:
    """A JUnit report (shipped as a log) and a logged XML document hold quotes as entities."""
    assert secret not in redact(escaped)
    assert "[REDACTED:secret_pair]" in redact(escaped)


def test_every_kind_fits_the_marker_pattern_signatures_use() -> None:
    rules = redact_module._SHAPES + redact_module._CONTEXT + redact_module._PAIRS
    rules += redact_module._BLOCKS
    assert all(re.fullmatch(r"[a-z_]+", rule.kind) for rule in rules)


def test_a_pattern_error_is_reported_at_import_not_hidden() -> None:
    with pytest.raises(re2.error):
        redact_module._compile("(unclosed")
    with pytest.raises(re2.error, match="a group other than"):
        redact_module._finder("(?P<name>x)")


def test_a_giant_match_is_replaced_whole() -> None:
    assert redact("password=" + "x" * 100_000) == "[REDACTED:secret_pair]"


def test_text_that_is_not_valid_utf8_round_trips() -> None:
    text = "bad \udcff byte ghp_" + "a" * 36 + " password=\ud800abc"
    assert redact(text) == "bad \udcff byte [REDACTED:github_token] password=[REDACTED:secret_pair]"


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
