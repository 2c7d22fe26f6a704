"""Secret redaction: every secret becomes a marker naming its kind, e.g. `[REDACTED:jwt]`.

A text goes through these steps, each one linear in its length:

1. ANSI escape sequences are removed, so a colour code can't split a token in two.
2. Values declared with GitHub Actions' `::add-mask::VALUE` are masked everywhere in the text
   (`Masks`; one can be shared by the logs of a run).
3. Secrets known by their own shape (`ghp_...`, `AKIA...`, `sk-ant-...`, key blocks) are replaced
   first, so a token after `Bearer ` or `_authToken=` is named by what it is.
4. Secrets known by what stands before them (`--token`, `Cookie:`, a DSN's `user:`, a quoted
   `"password": "..."`) are replaced; the context stays in front of the marker.
5. Then `key=value` pairs with a bare value, one rule at a time.
6. A Kubernetes Secret's `data:` block gets every value replaced.

Each of steps 3-6 searches one RE2 alternation of its rules (no backtracking: linear time on
any input); where two rules match at the same place, the earlier one wins. Python's `re` only
runs a few patterns that cannot backtrack (said where they are). `redact_or_refuse` gives up
after a time budget with `RedactionError` rather than return a text half redacted.
"""

from __future__ import annotations

import base64
import binascii
import math
import re
import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

import re2
from re2 import _re2  # the binding itself: its Match costs ~1 µs, the wrapper's ~7 µs per match

from agent_engine.errors import InputError

_MARKER = "[REDACTED:{}]"
_UNANCHORED = _re2.RE2.Anchor.UNANCHORED
_BOTH = _re2.RE2.Anchor.ANCHOR_BOTH
_NO_MATCH = -1

# --- pieces of patterns -----------------------------------------------------------------------
# An optional quote after a key, possibly JSON-escaped once or more: `"`, `\"`, `\\\"`.
_Q = r"""(?:\\*["'])?"""
# Between a key and its value.
_SEP = r"[ \t]*(?::=|=>|[:=])[ \t]*"
# Words that make a key's value secret (case-insensitive), when the key ends with them.
_KEY_WORDS = (
    r"password|passwd|passphrase|secret|token|credentials?|creds|apikey|api[_.-]?key"
    r"|(?:access|private|secret|signing|encryption|encrypt|master|app|application|auth"
    r"|account|subscription|service|license|storage|consumer|client|webhook|session|sas"
    r"|shared[_.-]?access|ssh|deploy|db|database)[_.-]?key"
    r"|_auth|art[_.-]?api|sessionid|session[_.-]id|sessid"
)
# Short words that count only as a whole key or after a separator: `DB_PASS`, `pass`, `GH_PAT`.
_SHORT_KEY_WORDS = r"pass|pat"
# A key: any name ending with one of those words. (The match starts with the name, so that where
# a name has two of them, `OKTA_API_TOKEN`, this rule and `generic_secret` start at one place.)
_KEY = (
    r"\b(?i:[A-Za-z0-9_.-]*(?:" + _KEY_WORDS + r")"
    r"|(?:[A-Za-z0-9_.-]*[_.-])?(?:" + _SHORT_KEY_WORDS + r"))"
)
# A bare (unquoted) value: it ends before a space, a quote, `&`, `;`, `,`, `<`, a backslash or a
# marker's `[`, and never with a closing bracket or a full stop (`f(password=x)`, `... =x.`); it
# does not start with `:` or `=` (`test_auth::test_x`, `token == expected`).
_BARE = (
    r"""(?:[^\s"'&;,\[<>\\`:=][^\s"'&;,\[<>\\`]*[^\s"'&;,\[\]<>\\`)}.]"""
    r"""|[^\s"'&;,\[\]<>\\`)}.:=])"""
)
# A value in double quotes, which may themselves be JSON-escaped (`\"`, `\\\"`).
_DQ_OPEN = r'\\*"'
_DQ_BODY = r'(?:[^"\\\r\n]|\\+[^"\\\r\n])+'
_DB_SCHEMES = (
    r"postgres|postgresql|mysql|mariadb|mongodb|mongodb\+srv|redis|rediss|amqp|amqps|mssql"
    r"|sqlserver|oracle|cockroachdb|clickhouse|couchbase|cassandra|neo4j|neo4j\+s|bolt|nats"
    r"|kafka|memcached|ldap|ldaps|snowflake"
)
# `Authorization: `, `"Authorization": "`, `authorization=`, `Proxy-Authorization: `.
_AUTHORIZATION = r"(?i:\b(?:proxy-)?authorization)" + _Q + r"[ \t]*[:=][ \t]*" + _Q + r"[ \t]*"
# A variable whose value is secret: `DB_PASS`, `NPM_TOKEN`, `SECRET_KEY_BASE`.
_ENV_NAME = (
    r"(?i:[A-Za-z_][A-Za-z0-9_]*?(?:pass|passwd|password|pwd|pw|token|secret|key|auth"
    r"|credentials?|creds|pat|sas)(?:_[A-Za-z0-9]+)?)"
)
# A command-line argument: quoted, or bare and not an option (`-x`).
_ARG = r"""(?:"[^"\r\n]+"|'[^'\r\n]+'|[^\s"'&;,\[<>\\`-](?:""" + _BARE + r")?)"
# A quote as XML or HTML escapes it, and a value between two of them (`&amp;` and the like may be
# inside; it ends at the next entity quote or the line's end).
_EQ = r"(?:&quot;|&#34;|&#x22;|&apos;|&#39;|&#x27;)"
_ESCAPED_BODY = r"(?:[^&\r\n]|&(?:amp|lt|gt);)+"
_UUID = r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"


def _context(keep: str, secret: str, tail: str = "") -> str:
    """A pattern for a secret known by what stands before it: `keep` stays in front of the
    marker, `tail` (if any) after it."""
    return f"(?P<keep>{keep}){secret}" + (f"(?P<tail>{tail})" if tail else "")


Check = Callable[[bytes], bool]
Rewrite = Callable[[bytes], bytes | None]


@dataclass(frozen=True)
class _Rule:
    """One secret format. The match minus its `keep` group (in front) and `tail` group (after)
    is the secret; `keep` and `tail`, where a pattern has them, take part in every match.
    `check` can say the secret is not one after all; `rewrite` replaces it with something other
    than a single marker (or with None: not a secret)."""

    kind: str
    pattern: str
    check: Check | None = None
    rewrite: Rewrite | None = None
    # For `key = value` rules, a faster way to say what `keep` would: the text up to the first
    # `:` or `=` (`:=`, `=>`), the spaces after it and an opening quote stays.
    after_separator: bool = False


# --- checks -------------------------------------------------------------------------------------
# Not a value: `None`, `***`, `<token>`, `$TOKEN`, `${TOKEN}`, `$(cat f)`, `${{ secrets.X }}`,
# `{{ .Values.x }}`, `%PASSWORD%`, GitLab's `[MASKED]` (but `$2b$12$...`, a password hash, is a
# value).
_PLACEHOLDER = re.compile(
    rb"(?i:none|null|nil|undefined|true|false|empty|redacted|xxx)|\*+|<[^<>]*>"
    # a type (`password: str`), a variable named like its key (`f(password=password)`)
    rb"|str|bytes|int|bool|string|number|any|object|list|dict|tuple|Optional|Annotated|SecretStr"
    rb"|password|passwd|token|secret|api_key|apikey|credentials|pass|pwd"
    rb"|\$(?:[{(].*|[A-Za-z_][A-Za-z0-9_]*)|\{.*|%[^%]*%|\[[A-Za-z_]+(?::[a-z_]+)?\]",
    re.DOTALL,
)


_PLACEHOLDER_STARTS = frozenset(b"$*{%[<")
# What an earlier pass left: its markers, and the escaped line breaks around a key block it took.
_LEFT_OVER = re.compile(rb"\[REDACTED:[a-z_]+\]|\\[nr]")
_OPEN_BRACKET, _BACKSLASH, _PAREN, _DOT = b"[\\(."


def _real_value(value: bytes) -> bool:
    """Something other than a placeholder (`_PLACEHOLDER`) or an earlier pass's marker."""
    # (`int in bytes`: the byte-string form costs ~10 times as much, on the hot path.)
    if _OPEN_BRACKET in value or _BACKSLASH in value:
        value = _LEFT_OVER.sub(b"", value)
    bare = value.strip(b"\"'\\ ")
    if len(bare) > 12 and bare[0] not in _PLACEHOLDER_STARTS:  # longer than a placeholder word
        return True
    return bool(bare) and not _PLACEHOLDER.fullmatch(bare)


def _not_code(value: bytes) -> bool:
    """A value, not the source line of a traceback: `token = _local.set(self)`,
    `password = form.password.data`."""
    maybe_code = _PAREN in value or _DOT in value
    return _real_value(value) and not (maybe_code and _CODE.match(value))


def _session_id(value: bytes) -> bool:
    """A session cookie's value, not `f(session=session)`: it has a digit or mixed case."""
    return _real_value(value) and _random_looking(value)


# A call (`name(`, `a.b(`) or a chain of lower-case names (`form.password.data`).
_CODE = re.compile(rb"[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*\(|[a-z_]+(?:\.[a-z_]+)+$")


def _not_a_scheme(value: bytes) -> bool:
    """`Authorization: Bearer [REDACTED:jwt]` must not see `Bearer` as the credential."""
    return _real_value(value) and value.lower() not in _AUTH_SCHEMES


_AUTH_SCHEMES = frozenset(
    b"basic bearer token digest negotiate ntlm bot apikey api-key key sso-key ssws splunk "
    b"geniekey oauth jwt hmac aws4-hmac-sha256".split()
)


def _has_digit(value: bytes) -> bool:
    return len(value.translate(None, b"0123456789")) < len(value)


def _random_looking(value: bytes) -> bool:
    """A token rather than a word: it has a digit, or both upper and lower case letters."""
    return _has_digit(value) or (value != value.lower() and value != value.upper())


def _token_like(value: bytes) -> bool:
    """After a bare `Bearer ` or `token ` in prose: not `Bearer authentication failed`."""
    return _real_value(value) and (_has_digit(value) or len(value) >= 32)


def _high_entropy(value: bytes) -> bool:
    """A generated secret: letters and digits, at least 3.5 bits of Shannon entropy a character."""
    if not _real_value(value) or value[:1] == b"/" or not _has_digit(value):
        return False
    if value.lower() == value.upper():  # no letter
        return False
    counts = Counter(value)
    size = len(value)
    return -sum(n / size * math.log2(n / size) for n in counts.values()) >= 3.5


def _basic_credentials(value: bytes) -> bool:
    """`Basic X` in prose is a word; in a header X is base64 of `user:password`."""
    padded = value + b"=" * (-len(value) % 4)
    try:
        decoded = base64.b64decode(padded, validate=True)
    except binascii.Error:
        return False
    return b":" in decoded and all(32 <= c < 127 for c in decoded)


def _not_a_port(value: bytes) -> bool:
    """`postgres://db:5432/x?to=a@b` has no password: `5432/x?to=a` is a port and a path."""
    head = value.split(b"/", 1)[0]
    return _real_value(value) and not (head.isdigit() and b"/" in value)


# --- rewrites -----------------------------------------------------------------------------------
# A cookie's value: from its name's `=` to the next `;`, unless the name is one of Set-Cookie's
# attributes. Python's re is linear here: a match starts only at the start or a `;`, and no
# repetition is followed by one that could take the same characters. (The same holds for the
# few other patterns given to Python's re below; every other pattern is RE2's.)
_COOKIE_VALUE = re.compile(
    rb"((?:^|;)(?![ \t]*(?i:path|domain|expires|max-age|samesite|priority|version|comment)=)"
    rb"[^=;]*=)(?!\[REDACTED:)[^;]+"
)
_COOKIE_MARKER = rb"\1" + _MARKER.format("cookie").encode()


def _cookies(value: bytes) -> bytes | None:
    """`a=1; b=2` -> `a=[REDACTED:cookie]; b=[REDACTED:cookie]`; `Path=/` stays."""
    rewritten, count = _COOKIE_VALUE.subn(_COOKIE_MARKER, value)
    return rewritten if count else None


def _k8s_data(block: bytes) -> bytes | None:
    """The lines of a Secret's `data:` block after its first line: each value becomes a marker,
    up to the first line indented no deeper than `data:` itself."""
    marker = _MARKER.format("kubernetes_secret").encode()
    lines = block.split(b"\n")
    head = lines[0]
    base = len(head) - len(head.lstrip(b" \t"))
    entry = -1
    changed = False
    for index in range(1, len(lines)):
        line = lines[index].rstrip(b"\r")
        stripped = line.lstrip(b" \t")
        indent = len(line) - len(stripped)
        if not stripped:
            continue
        if indent <= base:
            break
        entry = indent if entry < 0 else entry
        name, colon, content = stripped.partition(b":")
        if indent == entry and colon and content.strip():
            value = content.strip()
            if value in (b"|", b">", b"|-", b">-", b"|+", b">+") or not _real_value(value):
                continue
            lines[index] = line[:indent] + name + b": " + marker + lines[index][len(line) :]
            changed = True
        elif indent > entry:
            lines[index] = line[:indent] + marker + lines[index][len(line) :]
            changed = True
    return b"\n".join(lines) if changed else None


# --- the rules ----------------------------------------------------------------------------------
# Secrets known by their own shape. Word boundaries only where a short prefix would otherwise be
# found inside words; `x_ghp_...` is a token too.
_SHAPES: tuple[_Rule, ...] = (
    _Rule(
        "private_key",
        r"-----BEGIN[A-Z0-9 _-]{0,40} PRIVATE KEY(?: BLOCK)?-----(?s:.*?)"
        r"(?:-----END[A-Z0-9 _-]{0,40} PRIVATE KEY(?: BLOCK)?-----|\z)",
    ),
    _Rule(
        "private_key", r"PuTTY-User-Key-File-[0-9]+:(?s:.*?)(?:Private-MAC:[ \t]*[0-9a-fA-F]+|\z)"
    ),
    _Rule("age_secret_key", r"AGE-SECRET-KEY-1[QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L]{58}"),
    _Rule("github_token", r"(?:ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9]{36,}"),
    _Rule("github_token", r"github_pat_[A-Za-z0-9_]{22,}"),
    _Rule(
        "gitlab_token",
        r"\bgl(?:pat|dt|ft|rt|ptt|soat|imt|agent|oas|ffct|cbt|wt)-[0-9A-Za-z_.-]{20,}",
    ),
    _Rule("gitlab_token", r"\bGR1348941[0-9A-Za-z_-]{20,}"),
    _Rule("anthropic_key", r"\bsk-ant-[a-z]{2,8}[0-9]{0,3}-[A-Za-z0-9_-]{20,}"),
    _Rule("openai_key", r"\bsk-(?:proj|svcacct|admin|None)-[A-Za-z0-9_-]{20,}"),
    _Rule("openai_key", r"\bsk-[A-Za-z0-9]{32,}"),
    _Rule("huggingface_token", r"\b(?:hf_|api_org_)[A-Za-z0-9]{30,}"),
    _Rule("grafana_token", r"\beyJrIjoi[A-Za-z0-9]{40,}={0,2}"),
    _Rule("grafana_token", r"\bglc_[A-Za-z0-9+/]{32,}={0,2}"),
    _Rule("grafana_token", r"\bglsa_[A-Za-z0-9]{32}_[A-Fa-f0-9]{8}"),
    _Rule("jwt", r"eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*"),
    _Rule(
        "aws_access_key",
        r"(?:A3T[A-Z0-9]|AKIA|ASIA|ABIA|ACCA|AGPA|AIDA|AROA|ANPA|ANVA|AIPA)[A-Z0-9]{16}",
    ),
    _Rule("gcp_api_key", r"AIza[0-9A-Za-z_-]{35}"),
    _Rule("google_oauth_secret", r"GOCSPX-[A-Za-z0-9_-]{20,}"),
    _Rule("google_refresh_token", r"\b1//0[A-Za-z0-9_-]{30,}"),
    _Rule("google_access_token", r"\bya29\.[A-Za-z0-9_-]{30,}"),
    _Rule("fcm_server_key", r"\bAAAA[A-Za-z0-9_-]{7}:APA91b[A-Za-z0-9_-]{60,}"),
    _Rule("slack_token", r"xox[abposre]-[A-Za-z0-9-]{10,}"),
    _Rule("slack_token", r"xoxe\.xox[bp]-[0-9]-[A-Za-z0-9]{60,}"),
    _Rule("slack_token", r"\bxapp-[0-9]-[A-Za-z0-9-]{10,}"),
    _Rule(
        "slack_webhook",
        r"(?P<keep>hooks\.slack\.com/(?:services|workflows|triggers)/)[A-Za-z0-9_/+-]{20,}",
    ),
    _Rule(
        "discord_webhook",
        r"(?P<keep>discord(?:app)?\.com/api(?:/v[0-9]+)?/webhooks/[0-9]{5,}/)[A-Za-z0-9_-]{20,}",
    ),
    _Rule("teams_webhook", r"(?P<keep>\.webhook\.office\.com/webhookb2/)[A-Za-z0-9@/_-]{40,}"),
    _Rule(
        "discord_token", r"\b[MNO][A-Za-z0-9_-]{23,25}\.[A-Za-z0-9_-]{6}\.[A-Za-z0-9_-]{27,38}\b"
    ),
    _Rule("stripe_key", r"(?:sk|rk)_(?:live|test|prod)_[A-Za-z0-9]{10,}"),
    _Rule("stripe_key", r"\bwhsec_[A-Za-z0-9]{24,}"),
    _Rule("npm_token", r"npm_[A-Za-z0-9]{36,}"),
    _Rule("pypi_token", r"pypi-AgE[A-Za-z0-9_-]{50,}"),
    _Rule("sendgrid_key", r"\bSG\.[A-Za-z0-9_-]{16,32}\.[A-Za-z0-9_-]{16,64}"),
    _Rule("twilio_key", r"\bSK[0-9a-fA-F]{32}\b"),
    _Rule("shopify_token", r"\bshp(?:at|ca|pa|ss|tka)_[a-fA-F0-9]{32}"),
    _Rule("mailgun_key", r"\b(?:pub)?key-[0-9a-f]{32}\b"),
    _Rule("mailchimp_key", r"\b[0-9a-f]{32}-us[0-9]{1,2}\b"),
    _Rule("newrelic_key", r"\bNR(?:AK|II|JS|RA|AA)-[A-Za-z0-9_-]{19,}"),
    _Rule("newrelic_key", r"\b[a-f0-9]{36}NRAL\b"),
    _Rule("heroku_key", r"\bHRKU-[A-Za-z0-9_-]{58,}"),
    _Rule("digitalocean_token", r"\bdo[opr]_v1_[a-f0-9]{64}"),
    _Rule("linear_key", r"\blin_(?:api|oauth)_[A-Za-z0-9]{40,}"),
    _Rule("notion_token", r"\bntn_[0-9]{11}[A-Za-z0-9]{32,}"),
    _Rule("notion_token", r"\bsecret_[A-Za-z0-9]{43}\b"),
    _Rule("atlassian_token", r"\bAT(?:ATT|CTT)3[A-Za-z0-9_=-]{50,}"),
    _Rule("sentry_token", r"\bsntry[su]_[A-Za-z0-9+/=_]{40,}"),
    _Rule("doppler_token", r"\bdp\.(?:pt|st|sa|ct|scim|audit)\.[A-Za-z0-9._-]{40,}"),
    _Rule("vault_token", r"\bhv[sbr]\.[A-Za-z0-9_-]{24,}"),
    _Rule("terraform_token", r"\b[A-Za-z0-9]{14}\.atlasv1\.[A-Za-z0-9_=-]{60,}"),
    _Rule("planetscale_token", r"\bpscale_(?:tkn|oauth|pw)_[A-Za-z0-9_=.-]{32,}"),
    _Rule("postman_key", r"\bPMAK-[a-fA-F0-9]{24}-[a-fA-F0-9]{34}"),
    _Rule("databricks_token", r"\bdapi[a-f0-9]{32}(?:-[0-9])?"),
    _Rule("square_token", r"\bsq0(?:atp|csp|idp)-[A-Za-z0-9_-]{22,}"),
    _Rule("square_token", r"\bEAAA[A-Za-z0-9_-]{60,}"),
    _Rule("facebook_token", r"\bEAA[B-Z][A-Za-z0-9]{60,}"),
    _Rule("facebook_token", r"\b[0-9]{15,16}(?:\||%7[Cc])[A-Za-z0-9_-]{27,}"),
    _Rule("braintree_token", r"access_token\$(?:production|sandbox)\$[0-9a-z]{16}\$[0-9a-f]{32}"),
    _Rule("twitter_bearer", r"\bA{20,}[A-Za-z0-9%]{40,}"),
    _Rule("alibaba_access_key", r"\bLTAI[A-Za-z0-9]{12,20}\b"),
    _Rule("tencent_secret_id", r"\bAKID[A-Za-z0-9]{32}\b"),
    _Rule(
        "azure_client_secret",
        r"(?P<keep>(?m:^)|[^A-Za-z0-9_~.])[A-Za-z0-9_~.]{3}[0-9]Q~[A-Za-z0-9_~.-]{31,34}",
    ),
    _Rule("azure_devops_token", r"\b[A-Za-z0-9]{52}AZDO[A-Za-z0-9]{4}\b"),
    _Rule("openshift_token", r"\bsha256~[A-Za-z0-9_-]{43}"),
    _Rule("onepassword_token", r"\bops_eyJ[A-Za-z0-9+/]{100,}={0,3}"),
    _Rule(
        "onepassword_token",
        r"\bA3-[A-Z0-9]{6}-(?:[A-Z0-9]{11}|[A-Z0-9]{6}-[A-Z0-9]{5})-[A-Z0-9]{5}-[A-Z0-9]{5}"
        r"-[A-Z0-9]{5}\b",
    ),
    _Rule("artifactory_token", r"\bAKCp[A-Za-z0-9]{60,}"),
    _Rule("artifactory_token", r"\bcmVmd[A-Za-z0-9]{59}\b"),
    _Rule("clojars_token", r"(?i:\bCLOJARS_[a-z0-9]{60})"),
    _Rule("dynatrace_token", r"\bdt0c01\.[A-Za-z0-9]{24}\.[A-Za-z0-9]{64}"),
    _Rule("easypost_key", r"\bEZ[AT]K[A-Za-z0-9]{54}"),
    _Rule("flyio_token", r"\bfo1_[A-Za-z0-9_-]{43}"),
    _Rule("flyio_token", r"\bfm[12][ar]?_[A-Za-z0-9+/]{100,}={0,3}"),
    _Rule("frameio_token", r"\bfio-u-[A-Za-z0-9_=-]{64}"),
    _Rule("pulumi_token", r"\bpul-[a-f0-9]{40}"),
    _Rule("prefect_key", r"\bpnu_[A-Za-z0-9]{36}"),
    _Rule("readme_key", r"\brdme_[a-z0-9]{70}"),
    _Rule("rubygems_key", r"\brubygems_[a-f0-9]{48}"),
    _Rule("scalingo_token", r"\btk-us-[A-Za-z0-9_-]{48}"),
    _Rule("brevo_key", r"\bx(?:keysib|smtpsib)-[a-f0-9]{64}-[A-Za-z0-9]{16}"),
    _Rule("shippo_token", r"\bshippo_(?:live|test)_[a-fA-F0-9]{40}"),
    _Rule("perplexity_key", r"\bpplx-[A-Za-z0-9]{48}"),
    _Rule("infracost_key", r"\bico-[A-Za-z0-9]{32}"),
    _Rule("duffel_token", r"\bduffel_(?:test|live)_[A-Za-z0-9_=-]{43}"),
    _Rule("flutterwave_key", r"\bFLW(?:SECK|PUBK)_TEST-[a-hA-H0-9]{12,32}(?:-X)?"),
    _Rule("mapbox_token", r"\bsk\.eyJ[A-Za-z0-9_-]{20,}\.[A-Za-z0-9_-]{20,}"),
    _Rule("telegram_token", r"\b[0-9]{8,10}:AA[A-Za-z0-9_-]{33}"),
    _Rule("nuget_key", r"\boy2[a-z0-9]{43}"),
    _Rule("docker_token", r"\bdckr_(?:pat|oat)_[A-Za-z0-9_-]{20,}"),
    _Rule("circleci_token", r"\bCCI(?:PAT|PRJ)_[A-Za-z0-9]{20,}_[a-f0-9]{40}"),
    _Rule("buildkite_token", r"\bbkua_[a-f0-9]{40}"),
    _Rule("sonar_token", r"\bsq[pua]_[a-f0-9]{40}"),
    _Rule("netlify_token", r"\bnfp_[A-Za-z0-9]{36,}"),
    _Rule("supabase_token", r"\b(?:sbp_[a-f0-9]{40}|sb_secret_[A-Za-z0-9_-]{20,})"),
    _Rule("cloudflare_key", r"\bv1\.0-[a-f0-9]{24}-[a-f0-9]{146}"),
    _Rule("render_key", r"\brnd_[A-Za-z0-9]{32}"),
    _Rule("groq_key", r"\bgsk_[A-Za-z0-9]{48,}"),
    _Rule("replicate_token", r"\br8_[A-Za-z0-9]{37,}"),
    _Rule("xai_key", r"\bxai-[A-Za-z0-9]{70,}"),
    _Rule("contentful_token", r"\bCFPAT-[A-Za-z0-9_-]{43}"),
    _Rule("harness_token", r"\b(?:pat|sat)\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9]{24}\.[A-Za-z0-9]{20}"),
    _Rule("airtable_token", r"\bpat[A-Za-z0-9]{14}\.[a-f0-9]{64}"),
    _Rule("asana_token", r"\b[0-9]/[0-9]{12,}(?:/[0-9]{12,})?:[A-Za-z0-9]{32}\b"),
    _Rule("typeform_token", r"\btfp_[A-Za-z0-9_.=-]{59}"),
    _Rule("sourcegraph_token", r"\bsgp_(?:[a-fA-F0-9]{16}_|local_)?[a-fA-F0-9]{40}"),
    _Rule("bitbucket_token", r"\bATBB[A-Za-z0-9_=.-]{28,}"),
    _Rule("yandex_key", r"\bAQVN[A-Za-z0-9_-]{35,38}"),
    _Rule("yandex_key", r"\bt1\.[A-Za-z0-9_-]+={0,2}\.[A-Za-z0-9_-]{86}={0,2}"),
)

# Secrets known by what stands before them.
_CONTEXT: tuple[_Rule, ...] = (
    _Rule(
        "azure_key",
        _context(
            r"\b(?i:AccountKey|SharedAccessKey|AccessKey|PrimaryKey|SecondaryKey)[ \t]*=[ \t]*",
            r"[^;\s\"'<]{8,}",
        ),
    ),
    _Rule("azure_sas", _context(r"(?:\A|[?&;\s\"'])(?i:sig)=", r"[A-Za-z0-9%+/=_-]{16,}")),
    _Rule("sentry_dsn", _context(r"\bhttps?://", r"[0-9a-f]{32}(?::[0-9a-f]{32})?", "@")),
    _Rule(
        "dsn_password",
        _context(r"\b(?i:" + _DB_SCHEMES + r")://[^\s:/@\[\]]*:", r"[^\s@]+", "@"),
        check=_not_a_port,
    ),
    _Rule(
        "dsn_password",
        _context(
            r"(?i:\bjdbc:oracle:(?:thin|oci):|\bsqlplus[ \t]+)[^\s/@:\"'\[\]]+/",
            r"[^\s@\"']+",
            "@",
        ),
        check=_real_value,
    ),
    # A token for user name: `https://<token>@github.com`, `https://<token>:x-oauth-basic@...`.
    _Rule(
        "url_credentials",
        _context(r"\b[A-Za-z][A-Za-z0-9+.-]+://", r"[A-Za-z0-9_-]{20,}", "(?::x-oauth-basic)?@"),
    ),
    _Rule(
        "url_credentials",
        _context(r"\b[A-Za-z][A-Za-z0-9+.-]+://[^\s:/@\[\]]*:", r"[^\s@/]+", "@"),
        check=_real_value,
    ),
    _Rule(
        "twilio_auth_token",
        _context(r"\bAC[0-9a-f]{32}(?:[\"']?[ \t]*[:,][ \t]*[\"']?|:)", r"[0-9a-f]{32}\b"),
    ),
    _Rule(
        "datadog_key",
        _context(
            r"(?i:\b(?:dd|datadog)[A-Za-z0-9_.-]{0,20}(?:key|token))" + _Q + _SEP + _Q,
            r"[a-fA-F0-9]{32,40}",
        ),
    ),
    _Rule(
        "heroku_key",
        _context(r"(?i:\bheroku[A-Za-z0-9_.-]{0,20}(?:key|token|secret))" + _Q + _SEP + _Q, _UUID),
    ),
    _Rule(
        "bearer",
        _context(_AUTHORIZATION + r"(?i:bearer|token)[ \t]+", r"[^\s\"'\\\[,;]{4,}"),
        check=_real_value,
    ),
    _Rule(
        "basic_auth",
        _context(_AUTHORIZATION + r"(?i:basic)[ \t]+", r"[A-Za-z0-9+/_-]{4,}={0,2}"),
        check=_real_value,
    ),
    _Rule(
        "authorization",
        _context(_AUTHORIZATION + r"(?:[A-Za-z][A-Za-z0-9_-]*[ \t]+)?", r"[^\s\"'\\\[,;]{4,}"),
        check=_not_a_scheme,
    ),
    _Rule("bearer", _context(r"\b(?i:bearer)[ \t]+", r"[A-Za-z0-9._~+/=-]{8,}"), check=_token_like),
    _Rule("bearer", _context(r"\b(?i:token)[ \t]+", r"[A-Za-z0-9._~+/=-]{16,}"), check=_token_like),
    _Rule(
        "basic_auth",
        _context(r"\bBasic[ \t]+", r"[A-Za-z0-9+/]{8,}={0,2}"),
        check=_basic_credentials,
    ),
    _Rule(
        "cookie",
        _context(r"(?i:\b(?:set-)?cookie)" + _Q + r"[ \t]*[:=][ \t]*" + _Q, r"[^\r\n\"'\\]+"),
        rewrite=_cookies,
    ),
    _Rule(
        "cookie",
        _context(
            r"(?i:\b(?:PHPSESSID|JSESSIONID|ASP\.NET_SessionId|connect\.sid|laravel_session"
            r"|_[A-Za-z0-9_]*_session|session))=",
            _BARE,
        ),
        check=_session_id,
    ),
    _Rule(
        "cli_secret",
        _context(
            r"\b(?:docker|podman|buildah|nerdctl|oras|skopeo|crane|helm[ \t]+registry)"
            r"[ \t]+login\b[^\r\n]*?[ \t]-p(?:[ \t]+|=)?",
            _ARG,
        ),
        check=_real_value,
    ),
    _Rule(
        "cli_secret",
        _context(
            r"\b(?:mysql|mysqldump|mysqladmin|mysqlimport|mysqlshow|mysqlcheck|mariadb"
            r"|mariadb-dump)\b[^\r\n]*?[ \t]-p",
            _ARG,
        ),
        check=_real_value,
    ),
    _Rule(
        "cli_secret",
        _context(
            r"(?:\bsshpass\b[^\r\n]*?[ \t]-p|\bredis-cli\b[^\r\n]*?[ \t]-a"
            r"|\baz[ \t]+login\b[^\r\n]*?[ \t]-p|\bsqlcmd\b[^\r\n]*?[ \t]-P"
            r"|\bmongo(?:sh|dump|restore)?\b[^\r\n]*?[ \t]-p|\bzip\b[^\r\n]*?[ \t]-P)[ \t]*",
            _ARG,
        ),
        check=_real_value,
    ),
    _Rule(
        "cli_secret",
        _context(r"\bcurl\b[^\r\n]*?[ \t](?:-u|--user)(?:[ \t]+|=)[\"']?[^\s:\"']*:", r"[^\s\"']+"),
        check=_real_value,
    ),
    _Rule(
        "cli_secret",
        _context(
            r"(?i:(?:(?m:^)|[\s\"'])--?(?:[a-z0-9]+[-_])*(?:password|passwd|pass|pwd|token"
            r"|secret|api-?key|access-?key|secret-?key|account-?key|client-?secret|sas-?token"
            r"|storepass|keypass|passin|passout|pat|credentials?))(?:[ \t]+|=)",
            _ARG,
        ),
        check=_real_value,
    ),
    _Rule(
        "cli_secret",
        _context(
            r"(?i:ConvertTo-SecureString)[ \t]+(?:-String[ \t]+)?[\"']",
            r"[^\"'\r\n]+",
            r"[\"'][ \t]+-AsPlainText",
        ),
    ),
    _Rule(
        "secret_pair",
        _context(
            r"(?:\b(?:export|set)[ \t]+" + _ENV_NAME + r"=|\b(?:ENV|ARG|setenv)[ \t]+"
            r"" + _ENV_NAME + r"(?:=|[ \t]+))",
            r"(?:\"[^\"\r\n]+\"|'[^'\r\n]+'|" + _BARE + r")",
        ),
        check=_not_code,
    ),
    _Rule(
        "secret_pair",
        _context(r"\bmachine[ \t]+\S+(?:\s+login\s+\S+)?\s+password[ \t]+", r"[^\s\"']+"),
        check=_real_value,
    ),
    # docker's config.json: `"auth": "<base64 of user:password>"`.
    _Rule(
        "secret_pair",
        _context(
            _DQ_OPEN + r"(?i:auth|identitytoken|registrytoken)" + _DQ_OPEN + r"[ \t]*:[ \t]*"
            r"" + _DQ_OPEN,
            _DQ_BODY,
            _DQ_OPEN,
        ),
        check=_real_value,
    ),
    _Rule(
        "secret_pair",
        _context(
            r"<(?:[A-Za-z_][A-Za-z0-9_.-]*:)?[A-Za-z0-9_.-]*?(?i:password|passwd|secret|token"
            r"|apikey|api_key|privatekey|private_key|credentials?)>",
            r"[^<\r\n]+",
            "</",
        ),
        check=_real_value,
    ),
    _Rule(
        "secret_pair",
        _context(
            r"<add[ \t]+key=\"[^\"]*(?i:password|token|secret|apikey)[^\"]*\"[ \t]+value=\"",
            r"[^\"]+",
            '"',
        ),
        check=_real_value,
    ),
    # The same three, XML-escaped, as a JUnit report's message attribute or a logged XML
    # document holds them: `password=&quot;x&quot;`, `&lt;password&gt;x&lt;/password&gt;`.
    _Rule(
        "secret_pair",
        _context(_KEY + f"{_EQ}?" + _SEP + _EQ, _ESCAPED_BODY, _EQ),
        check=_real_value,
    ),
    _Rule(
        "secret_pair",
        _context(
            r"&lt;(?:[A-Za-z_][A-Za-z0-9_.-]*:)?[A-Za-z0-9_.-]*?(?i:password|passwd|secret|token"
            r"|apikey|api_key|privatekey|private_key|credentials?)&gt;",
            r"(?:[^&<\r\n]|&(?:amp|quot|apos|#39|#34);)+",
            "&lt;/",
        ),
        check=_real_value,
    ),
    _Rule(
        "secret_pair",
        _context(
            r"&lt;add[ \t]+key=(?:&quot;|\")[^&\"\r\n]*(?i:password|token|secret|apikey)"
            r"[^&\"\r\n]*(?:&quot;|\")[ \t]+value=(?:&quot;|\")",
            r"(?:[^&\"\r\n]|&(?:amp|lt|gt);)+",
            r"(?:&quot;|\")",
        ),
        check=_real_value,
    ),
    # URL-encoded, `password%3Dhunter2` or `%22token%22%3A%22abc%22`: the value ends at `%26`
    # (`&`), `%22` (`"`) or `%2C` (`,`).
    _Rule(
        "secret_pair",
        _context(
            _KEY + r"(?:%22)?(?:%3[DdAa])(?:%22|%20)*",
            r"(?:[^\s&%\"'\\\[<>]|%(?:[013-9A-Fa-f][0-9A-Fa-f]|2[013-9ABD-Fabd-f]))+",
        ),
        check=_real_value,
    ),
    _Rule(
        "secret_pair",
        _context(_KEY + _Q + _SEP + _DQ_OPEN, _DQ_BODY, _DQ_OPEN),
        check=_real_value,
    ),
    _Rule("secret_pair", _context(_KEY + _Q + _SEP + "'", r"[^'\r\n]+", "'"), check=_real_value),
)

# The `key = value` rules with a bare value, each searched alone after `_CONTEXT` (dense in a
# hostile text: alone, a match needs no telling apart). In this order: the same key, same place.
_PAIRS: tuple[_Rule, ...] = (
    _Rule("secret_pair", _KEY + _Q + _SEP + _BARE, check=_not_code, after_separator=True),
    # `Pwd=` of an ODBC string, `DB_PW: `, but not the shell's `PWD=/home/runner/work`.
    _Rule(
        "secret_pair",
        r"\b(?i:(?:[A-Za-z0-9_.-]*[_.-])?(?:pwd|pw))"
        + _Q
        + _SEP
        + _Q
        + r"[^\s\"'&;,\[<>\\`/~.:=][^\s\"'&;,\[<>\\`]*",
        check=_not_code,
        after_separator=True,
    ),
    # Any key with a secret-like word in it, when its value looks generated.
    _Rule(
        "generic_secret",
        r"\b(?i:[A-Za-z0-9_.-]*?(?:access|auth|api|credential|creds|passw|secret|token"
        r"|private|signature|signing|salt|license)[A-Za-z0-9_.-]{0,20})"
        + _Q
        + _SEP
        + _Q
        + r"[A-Za-z0-9_.=+/~-]{16,}",
        check=_high_entropy,
        after_separator=True,
    ),
)

# A Kubernetes Secret's `data:` or `stringData:` block: the block and every line indented under it
# (the rewrite stops at the block's end). Searched only in a text that has `kind: Secret`.
_BLOCKS: tuple[_Rule, ...] = (
    _Rule(
        "kubernetes_secret",
        r"(?m:^)[ \t]*(?:data|stringData):[ \t]*\r?\n(?:[ \t]*\r?\n|[ \t]+[^\r\n]*(?:\r?\n|\z))+",
        rewrite=_k8s_data,
    ),
)
_K8S_KIND = r"\bkind:[ \t]*[\"']?Secret[\"']?[ \t]*(?:\r?\n|\z)"
# CSI and OSC escape sequences (as triage.preprocess has them), then any ESC left over.
_ANSI = re.compile(
    rb"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b\n]*(?:\x07|\x1b\\)?|\x1b[@-Z\\-_]|\x1b"
)
# A PEM body line seen on its own (its BEGIN line is elsewhere): long, base64, mixed case.
_PEM_BODY = r"\s*[A-Za-z0-9+/]{40,}={0,2}\s*"
_ADD_MASK = re.compile(rb"([\"']?)::add-mask::([^\r\n]*)")
# Shorter values are not masked: masking `a` would take every `a` out of the text.
MIN_MASK_LENGTH = 4
# Past these, a text is refused (`RedactionError`) rather than masked partly. (GitHub Actions
# logs declare a handful; each value costs a pass over the text, ~5 ms for 30 MB.)
MAX_MASKS = 256
MAX_MASK_BYTES = 64 << 10


class RedactionError(InputError):
    """A text could not be redacted in full (too slow, too many masked values), so nothing of it
    was returned: never a text half redacted."""

    code = "redaction_refused"
    status = 413
    next_step = "send a smaller log (split or trim it), or raise the redaction budget"


# --- the engine ---------------------------------------------------------------------------------
# What RE2 may use for a whole table's alternation (its DFA's states are cached in it); a single
# rule's regex runs on one match at a time and keeps RE2's default, 8 MiB.
_TABLE_MEMORY = 64 << 20


def _compile(pattern: str, *, max_mem: int = 8 << 20) -> _re2.RE2:
    options = re2.Options()
    options.log_errors = False
    options.max_mem = max_mem
    regex = _re2.RE2(pattern.encode(), options)
    if not regex.ok():
        raise re2.error(regex.error())
    return regex


class _Deadline:
    """When to give up; checked every thousand matches and between passes."""

    def __init__(self, budget_s: float | None, size: int) -> None:
        self.budget_s = budget_s
        self.size = size
        self._at = None if budget_s is None else time.monotonic() + budget_s

    def check(self) -> None:
        if self._at is not None and time.monotonic() > self._at:
            raise RedactionError(
                f"redacting a {self.size / 1e6:.1f} MB text took longer than {self.budget_s:g} s;"
                " it was refused rather than passed on unredacted"
            )


_NO_DEADLINE = _Deadline(None, 0)
_CHECK_EVERY = 1024
_SEEN_MAX = 4096
_SEEN_LENGTH = 256
_UNSEEN = b""
# A match longer than this is replaced whole: no check, no `keep`.
_GIANT = 1 << 16


class _Table:
    """Several rules searched as one RE2 alternation (linear time). A match is then told apart:
    an RE2 Set says which rules match it whole, the first one of those that does so in place
    (`\\b` sees the text around) is the rule, and its own regex splits off `keep` and `tail`."""

    def __init__(self, rules: tuple[_Rule, ...]) -> None:
        self._rules = rules
        self._find = _finder("|".join(f"(?:{rule.pattern})" for rule in rules))
        self._which = None  # a table of one rule has nothing to tell apart
        if len(rules) > 1:
            options = re2.Options()
            options.log_errors = False
            options.max_mem = _TABLE_MEMORY
            self._which = _re2.Set(_BOTH, options)
            for rule in rules:
                self._which.Add(rule.pattern.encode())
            self._which.Compile()
        self._regexes = [_compile(rule.pattern) for rule in rules]
        self._groups = [_group_indexes(regex) for regex in self._regexes]
        self._markers = [_MARKER.format(rule.kind).encode() for rule in rules]

    def sub(self, data: bytes, deadline: _Deadline = _NO_DEADLINE) -> bytes:
        find = self._find.Match
        replace = self._replace
        # What a short match became, by the match and the byte on each side (all that `\\b`, `^`
        # and `$` look at; 0xFF, never in UTF-8, stands for the text's start or end): a text that
        # repeats a secret pays for telling it apart once. Kept for this call only, so no secret
        # outlives it here.
        seen: dict[bytes, bytes | None] = {}
        pieces: list[bytes] = []
        done = pos = count = 0
        size = len(data)
        while True:
            start, end = find(_UNANCHORED, data, pos, size)[0]
            if start < 0:
                break
            pos = end
            if start and end < size:
                key = data[start - 1 : end + 1]
            else:
                key = (b"" if start else _SEAM) + data[start - 1 if start else 0 : end + 1]
                key += b"" if end < size else _SEAM
            count += 1
            if not count % _CHECK_EVERY:
                deadline.check()
                if len(seen) > _SEEN_MAX:
                    seen.clear()
            replacement = seen.get(key, _UNSEEN)
            if replacement is _UNSEEN:
                replacement = replace(data, start, end)
                if end - start <= _SEEN_LENGTH:
                    seen[key] = replacement
            if replacement is not None:
                pieces += (data[done:start], replacement)
                done = end
        if not pieces:
            return data
        pieces.append(data[done:])
        return b"".join(pieces)

    def _replace(self, data: bytes, start: int, end: int) -> bytes | None:
        candidates: list[int] = [0] if self._which is None else self._which.Match(data[start:end])
        index = min(candidates)
        keep_end: int
        tail_start: int
        spans: list[tuple[int, int]]
        if end - start > _GIANT:
            # Telling its parts apart would take RE2's slowest engine over all of it: the whole
            # match is taken for the secret (named after the first rule that matches it alone).
            return self._markers[index]
        if len(candidates) == 1 and self._groups[index] == (0, 0):
            keep_end, tail_start = start, end  # the one rule that matches it whole, no groups
        else:
            # The Set sees the match alone, so it may name an earlier rule that matches only out
            # of place (a `^` or `\\b` at its edges); the first rule that matches in place is the
            # one. Some rule always does (the alternation matched); were none to, `next` raises.
            index, spans = next(
                (index, spans)
                for index in sorted(candidates)
                if (spans := self._regexes[index].Match(_BOTH, data, start, end))[0][0] >= 0
            )
            keep_group, tail_group = self._groups[index]
            keep_end = spans[keep_group][1] if keep_group else start
            tail_start = spans[tail_group][0] if tail_group else end
        rule = self._rules[index]
        if rule.after_separator:
            found = _SEPARATOR.match(data, start, end)
            keep_end = found.end() if found else start  # (it matches any text)
        secret = data[keep_end:tail_start]
        if rule.check is not None and not rule.check(secret):
            return None
        marker = self._markers[index] if rule.rewrite is None else rule.rewrite(secret)
        if marker is None:
            return None
        return data[start:keep_end] + marker + data[tail_start:end]


def _finder(pattern: str) -> _re2.RE2:
    """`pattern` without its groups: asked for no groups, RE2 only runs its DFAs (~1 µs a
    match); with any, it also works out where each group is (~10 µs, for a large pattern)."""
    regex = _compile(
        pattern.replace("(?P<keep>", "(?:").replace("(?P<tail>", "(?:"), max_mem=_TABLE_MEMORY
    )
    if regex.NumberOfCapturingGroups():
        raise re2.error(f"a rule has a group other than `keep` and `tail`: {pattern}")
    return regex


def _group_indexes(regex: _re2.RE2) -> tuple[int, int]:
    groups = dict(regex.NamedCapturingGroups())
    return groups.get(b"keep", 0), groups.get(b"tail", 0)


_BY_SHAPE = _Table(_SHAPES)
_BY_CONTEXT = _Table(_CONTEXT)
_BY_PAIR = tuple(_Table((rule,)) for rule in _PAIRS)
_BY_BLOCK = _Table(_BLOCKS)
# What `after_separator` keeps: up to the first separator, the spaces and opening quote after it.
_SEPARATOR = re.compile(rb"[^:=]*(?::=|=>|[:=]|$)[ \t]*(?:\\*[\"'])?")
_K8S_KIND_RE = _finder(_K8S_KIND)
_PEM_BODY_RE = _finder(_PEM_BODY)
_VARIABLE = re.compile(rb"\$\{\{[^}]*\}\}|\$\{?[A-Za-z_][A-Za-z0-9_]*\}?|%[A-Za-z_]+%")
_MASKED = _MARKER.format("masked").encode()
_MARKERS = re.compile(rb"(\[REDACTED:[a-z_]+\])")
_SEAM = b"\xff"
_HOLE = b"\xfe"


class Masks:
    """Values declared secret in a log with GitHub Actions' `::add-mask::VALUE`.

    `learn` reads them from a text; `apply` masks each known value wherever it occurs. One
    instance can be shared by the logs of a run, so a value declared in one log is masked in all.
    """

    def __init__(self, values: Iterable[str] = ()) -> None:
        self._values: dict[bytes, None] = {}
        self._size = 0
        self._longest_first: list[bytes] | None = None
        for value in values:
            self._add(value.encode("utf-8", "surrogatepass"))

    @property
    def values(self) -> tuple[str, ...]:
        """The values known so far, in the order they were learnt."""
        return tuple(value.decode("utf-8", "surrogatepass") for value in self._values)

    def learn(self, text: str) -> list[str]:
        """Learn the values `text` declares with `::add-mask::`; the new ones are returned."""
        return [
            value.decode("utf-8", "surrogatepass")
            for value in self._learn(text.encode("utf-8", "surrogatepass"))
        ]

    def apply(self, text: str) -> str:
        """`text` with every known value replaced by `[REDACTED:masked]`."""
        data = self._apply(text.encode("utf-8", "surrogatepass"))
        return data.decode("utf-8", "surrogatepass")

    def _learn(self, data: bytes) -> list[bytes]:
        if b"::add-mask::" not in data:
            return []
        learnt = []
        for quote, declared in _ADD_MASK.findall(data):
            raw = declared.strip()
            if quote and raw.endswith(quote):
                raw = raw[: -len(quote)].rstrip()
            # The runner unescapes a command's data: `%25` is `%`, `%0A` a line break.
            unescaped = raw.replace(b"%0D", b"\r").replace(b"%0A", b"\n").replace(b"%25", b"%")
            for value in dict.fromkeys((raw, unescaped)):
                for line in value.splitlines():
                    if self._add(line.strip()):
                        learnt.append(line.strip())
        return learnt

    def _add(self, value: bytes) -> bool:
        if len(value) < MIN_MASK_LENGTH or value in self._values or b"[REDACTED:" in value:
            return False
        if _VARIABLE.fullmatch(value):
            return False  # a variable in the step's script, not its value
        self._size += len(value)
        if len(self._values) >= MAX_MASKS or self._size > MAX_MASK_BYTES:
            raise RedactionError(
                f"more than {MAX_MASKS} values or {MAX_MASK_BYTES >> 10} KiB declared with"
                " ::add-mask::; the text was refused rather than passed on partly masked"
            )
        self._values[value] = None
        self._longest_first = None
        return True

    def _apply(self, data: bytes) -> bytes:
        if not self._values:
            return data
        if self._longest_first is None:
            self._longest_first = sorted(self._values, key=len, reverse=True)
        # Markers already in the text are set aside, so a value never matches inside one; the
        # text between them is joined by a byte no value contains, so none matches across one.
        # Each value found becomes another such byte, which no shorter value can match into.
        # (0xFE and 0xFF are never part of UTF-8.) One C-speed pass a value, MAX_MASKS at most.
        parts = _MARKERS.split(data)
        texts = _SEAM.join(parts[0::2])
        for value in self._longest_first:
            texts = texts.replace(value, _HOLE)
        parts[0::2] = texts.split(_SEAM)
        return b"".join(parts).replace(_HOLE, _MASKED)


def redact(text: str, *, masks: Masks | None = None) -> str:
    """Replace every secret in `text` with a marker naming its kind.

    Values declared with `::add-mask::` in `text` are masked everywhere in it; pass a shared
    `masks` to also mask the values other texts declared (it learns this text's values too).
    """
    return _redact(text, masks, _NO_DEADLINE)


def redact_or_refuse(text: str, budget_s: float, *, masks: Masks | None = None) -> str:
    """`redact`, or `RedactionError` (an `InputError`) if that takes longer than `budget_s`
    seconds: a text is never passed on half redacted."""
    return _redact(text, masks, _Deadline(budget_s, len(text)))


def redact_all(texts: Sequence[str], budget_s: float | None = None) -> list[str]:
    """Redact the texts of one batch together: a value one of them declares with
    `::add-mask::` is masked in all of them, and with `budget_s`, the whole is refused
    (`RedactionError`) if it takes longer than that: a batch is never passed on half redacted."""
    masks = Masks()
    for text in texts:
        masks.learn(text)
    deadline = _Deadline(budget_s, sum(len(text) for text in texts))
    return [_redact(text, masks, deadline) for text in texts]


def _redact(text: str, masks: Masks | None, deadline: _Deadline) -> str:
    data = text.encode("utf-8", "surrogatepass")
    if b"\x1b" in data:
        data = _ANSI.sub(b"", data)
    masks = Masks() if masks is None else masks
    masks._learn(data)
    data = masks._apply(data)
    deadline.check()
    data = _BY_SHAPE.sub(data, deadline)
    deadline.check()
    data = _BY_CONTEXT.sub(data, deadline)
    for table in _BY_PAIR:
        deadline.check()
        data = table.sub(data, deadline)
    deadline.check()
    if _K8S_KIND_RE.Match(_UNANCHORED, data, 0, len(data))[0][0] != _NO_MATCH:
        data = _BY_BLOCK.sub(data, deadline)
    if b"\n" not in data and _looks_like_key_body(data):
        return _MARKER.format("private_key")
    return data.decode("utf-8", "surrogatepass")


def _looks_like_key_body(line: bytes) -> bool:
    if _PEM_BODY_RE.Match(_BOTH, line, 0, len(line))[0][0] == _NO_MATCH:
        return False
    return line != line.lower() and line != line.upper()
