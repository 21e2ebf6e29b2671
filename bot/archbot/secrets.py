"""Secret shapes: provider keys (gitleaks' patterns), placeholders and entropy."""

from __future__ import annotations

import base64
import binascii
import dataclasses
import itertools
import math
import re
import string
from collections import Counter
from collections.abc import Iterator
from typing import Literal

# A backslash ends a secret too: `\n` in escaped strings, `\"` in notebook JSON.
_END = r"(?=[`'\"\s;,)\]}]|\\|$)"

Detect = Literal["anywhere", "assigned", "never"]


@dataclasses.dataclass(frozen=True)
class Shape:
    """One kind of secret. `pattern`'s group 1 is the secret itself. `detect` says where a finding
    may trust the shape: `anywhere` (a distinctive prefix and length), `assigned` (only as the
    value of a credential name: `HF_TOKEN: hf_...`), `never` (masked before anything is sent to
    a model, never reported: test certificates, sample tokens and dev database URLs abound)."""

    label: str
    pattern: re.Pattern[str]
    detect: Detect
    # The provider draws the body from letters of both cases and digits: a body of hex digits
    # alone (36 of them hex by chance: once in 10^16) was made from a hash or a UUID for a test.
    drawn_mixed: bool = False

    def stands_in(self, value: str) -> bool:
        """A value of this shape that stands in for a key (`stand_in`, or a hex body where the
        provider draws letters of both cases)."""
        return stand_in(value) or (self.drawn_mixed and _hex_body(value))


# Every secret shape archbot knows: redaction masks them all; the rule reports them by `detect`.
# The first five are the gitleaks patterns RULES.md rule 23 names.
SHAPES: dict[str, Shape] = {
    "openai-api-key": Shape(
        "OpenAI API key",
        re.compile(
            r"\b(sk-(?:proj|svcacct|admin)-(?:[A-Za-z0-9_-]{74}|[A-Za-z0-9_-]{58})T3BlbkFJ"
            r"(?:[A-Za-z0-9_-]{74}|[A-Za-z0-9_-]{58})|sk-[a-zA-Z0-9]{20}T3BlbkFJ[a-zA-Z0-9]{20})" + _END
        ),
        "anywhere",
    ),
    "anthropic-api-key": Shape(
        "Anthropic API key", re.compile(r"\b(sk-ant-api03-[a-zA-Z0-9_\-]{93}AA)" + _END), "anywhere"
    ),
    "anthropic-admin-api-key": Shape(
        "Anthropic admin key", re.compile(r"\b(sk-ant-admin01-[a-zA-Z0-9_\-]{93}AA)" + _END), "anywhere"
    ),
    "huggingface-access-token": Shape(
        "Hugging Face token", re.compile(r"\b(hf_[a-zA-Z]{34})" + _END), "anywhere"
    ),
    "google-api-key": Shape(
        "Google API key", re.compile(r"\b(AIza[0-9A-Za-z\-_]{35})" + _END), "anywhere", drawn_mixed=True
    ),
    "anthropic-key": Shape(
        "Anthropic-style key", re.compile(r"\b(sk-ant-[a-z0-9]+-[A-Za-z0-9_\-]{20,})" + _END), "assigned"
    ),
    "openai-key": Shape(
        "OpenAI-style key",
        re.compile(r"\b(sk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_-]{20,})" + _END),
        "assigned",
    ),
    "huggingface-token": Shape(
        "Hugging Face-style token", re.compile(r"\b(hf_[A-Za-z0-9]{30,})" + _END), "assigned"
    ),
    "aws-access-key-id": Shape(
        "AWS access key id", re.compile(r"\b((?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16})\b"), "anywhere"
    ),
    "aws-secret-access-key": Shape(
        "AWS secret access key",
        re.compile(
            r"(?i)aws_?secret_?(?:access_?)?key\W{0,4}[=:][ \t]*\\?[\"']?"
            r"([A-Za-z0-9/+=]{40})(?![A-Za-z0-9/+=])"
        ),
        "anywhere",
    ),
    "github-token": Shape(
        "GitHub token",
        re.compile(r"\b(gh[pousr]_[A-Za-z0-9]{36,255}|github_pat_[A-Za-z0-9_]{60,255})\b"),
        "anywhere",
        drawn_mixed=True,
    ),
    "google-oauth-secret": Shape(
        "Google OAuth client secret", re.compile(r"\b(GOCSPX-[A-Za-z0-9_-]{28})" + _END), "anywhere"
    ),
    # Slack draws a token's body: account and team ids of ten digits and more, a secret of letters
    # and digits; a body of short parts (`xoxb-111-222-xyz`) was typed for a test.
    "slack-token": Shape(
        "Slack token",
        re.compile(r"\b(xox[abposr]-(?=[A-Za-z0-9-]*[A-Za-z0-9]{8})[A-Za-z0-9-]{10,})" + _END),
        "anywhere",
    ),
    "slack-webhook": Shape(
        "Slack webhook",
        re.compile(r"(https://hooks\.slack\.com/(?:services|workflows)/[A-Za-z0-9/_-]{20,})"),
        "anywhere",
    ),
    "gitlab-token": Shape("GitLab token", re.compile(r"\b(glpat-[A-Za-z0-9_-]{20,})" + _END), "anywhere"),
    "stripe-key": Shape(
        "Stripe live key", re.compile(r"\b([sr]k_live_[A-Za-z0-9]{20,})" + _END), "anywhere", drawn_mixed=True
    ),
    "groq-key": Shape(
        "Groq API key", re.compile(r"\b(gsk_[A-Za-z0-9]{40,})" + _END), "anywhere", drawn_mixed=True
    ),
    "replicate-token": Shape(
        "Replicate token", re.compile(r"\b(r8_[A-Za-z0-9]{30,})" + _END), "anywhere", drawn_mixed=True
    ),
    "pinecone-key": Shape(
        "Pinecone API key", re.compile(r"\b(pcsk_[A-Za-z0-9]{4,}_[A-Za-z0-9]{40,})" + _END), "anywhere"
    ),
    "langsmith-key": Shape(
        "LangSmith API key", re.compile(r"\b(lsv2_(?:pt|sk)_[a-f0-9]{32}_[a-f0-9]{10})" + _END), "anywhere"
    ),
    "sendgrid-key": Shape(
        "SendGrid API key",
        re.compile(r"\b(SG\.[A-Za-z0-9_-]{20,24}\.[A-Za-z0-9_-]{39,50})" + _END),
        "anywhere",
    ),
    "twilio-key": Shape("Twilio API key", re.compile(r"\b(SK[0-9a-f]{32})\b"), "assigned"),
    "npm-token": Shape("npm token", re.compile(r"\b(npm_[A-Za-z0-9]{36})\b"), "anywhere", drawn_mixed=True),
    "pypi-token": Shape(
        "PyPI token", re.compile(r"\b(pypi-AgEIcHlwaS5vcmc[A-Za-z0-9_-]{50,})" + _END), "anywhere"
    ),
    "databricks-token": Shape("Databricks token", re.compile(r"\b(dapi[0-9a-f]{32}(?:-\d)?)\b"), "anywhere"),
    "jwt": Shape(
        "JSON web token",
        re.compile(r"\b(eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{16,})" + _END),
        "never",
    ),
    # The password of `scheme://user:password@host`.
    "url-password": Shape(
        "URL password",
        re.compile(r"\b[a-z][a-z0-9+.-]{1,20}://[^\s:/@'\"`]{1,100}:([^\s:/@'\"`]{3,200})@"),
        "never",
    ),
    "private-key": Shape(
        "private key",
        re.compile(
            r"(-----BEGIN[A-Z ]*PRIVATE KEY(?: BLOCK)?-----"
            r"(?:.*?-----END[A-Z ]*PRIVATE KEY(?: BLOCK)?-----|.*\Z))",
            re.S,
        ),
        "never",
    ),
}

# Where every shape detected anywhere starts (policy.KEY_START and screen.PROVIDER_KEY_START repeat
# it for code that must not import this module; tests hold them equal).
KEY_START = re.compile(
    r"\b(?:sk-|hf_|AIza|AKIA|ASIA|ABIA|ACCA|gh[pousr]_|github_pat_|GOCSPX-|xox[abposr]-|glpat-|[sr]k_live_"
    r"|gsk_|r8_|pcsk_|lsv2_|SG\.|npm_|pypi-|dapi)|hooks\.slack\.com|(?i:aws_?secret)"
)
_PLACEHOLDER = re.compile(
    r"x{4,}|your|example|changeme|dummy|placeholder|fake|invalid|insecure|not[-_]?secure|nonexistent|redacted"
    r"|<|\$\{|\{\{",
    re.I,
)


def provider_key(text: str) -> tuple[str, re.Match[str]] | None:
    """The first secret in `text` whose shape alone identifies it (`detect="anywhere"`), unless it
    is a placeholder."""
    if not KEY_START.search(text):
        return None
    for name, shape in SHAPES.items():
        if shape.detect != "anywhere":
            continue
        for match in shape.pattern.finditer(text):
            if not shape.stands_in(match.group(1)):
                return name, match
    return None


# Where a key lives, written in its place: an environment variable's name behind a prefix that
# says so (`env:OPENAI_API_KEY`, LiteLLM's `os.environ/OPENAI_API_KEY`, `$OPENAI_API_KEY`).
_KEY_REFERENCE = re.compile(r"(?:\$|(?i:env|environ|os\.environ|secrets?)[:/.])[A-Z_][A-Z0-9_]*")


def is_placeholder(value: str) -> bool:
    """A stand-in for a key: a placeholder word, a template, a reference to where the key lives
    (`env:OPENAI_API_KEY`), a body of one or two repeated characters (`AKIA6666666666666666`,
    `sk-000000000000`) or a counted run (`0123456789abcdef`, `sk-abcdefgh...`, or interleaved:
    `a1b2c3d4e5f6...`), which no generated key has."""
    return (
        bool(_PLACEHOLDER.search(value))
        or _KEY_REFERENCE.fullmatch(value) is not None
        or (len(value) >= 8 and len(set(value[-16:])) <= 2)
        or _counted(value)
        or _word_in_hex(value)
    )


_LOWER_HEX = frozenset("0123456789abcdef")
# The longest word typed into a hex key, and the least of the key left on each side of it (a
# provider's prefix, `dapi...`, has none before it).
_TYPED_WORD = 12
_HEX_AROUND = 8


def _word_in_hex(value: str) -> bool:
    """A hex key with a word typed into it (`e7595fe6ctoken815f7d18cd4cf63075`): a key redacted by
    hand. Every letter past `f` sits in one short run of letters inside the hex; in a drawn key of
    letters and digits they are spread all over."""
    outside = [i for i, c in enumerate(value) if c not in _LOWER_HEX]
    if len(outside) < 2:
        return False
    start, end = outside[0], outside[-1] + 1
    word = value[start:end]
    return (
        word.isalpha()
        and word.islower()
        and len(word) <= _TYPED_WORD
        and start >= _HEX_AROUND
        and len(value) - end >= _HEX_AROUND
    )


# Lower-case words joined by `-` or `_` (`xoxb-explicit-token`): typed where a key's shape has a
# drawn body, which mixes digits and capitals.
_WORDS = re.compile(r"(?:[a-z]+[-_])+[a-z]+")


def stand_in(value: str) -> bool:
    """A value of a key's shape that stands in for one: a placeholder, or words in the place of
    the drawn body (`xoxb-explicit-token`). (A literal of no known shape made of words is judged
    by the name it is kept under: a password can be words.)"""
    return is_placeholder(value) or _WORDS.fullmatch(value) is not None


# A run this long of consecutive characters (`123456`, `abcdef`, `fedcba`) is typed, not drawn:
# a random key of 60-odd symbols holds one about once in 10^9 places.
_COUNTED_RUN = 6


# Short counted runs making up most of a value (`Abc123Def456Ghi789`): typed three at a time. A drawn
# key holds a run of three in about one place in 600.
_SHORT_RUN = 3
_MOSTLY_RUNS = 0.8
_MOSTLY_RUNS_LENGTH = 12


# Letters along a keyboard row (`qwerty`, `asdfgh`, `lkjhgf`): typed, as a counted run is. A drawn
# key of 40 symbols holds one of these walks of six about once in 10^7 keys.
_KEYBOARD_ROWS = ("qwertyuiop", "asdfghjkl", "zxcvbnm")
_KEYBOARD_WALK = re.compile(
    "|".join(
        row[start : start + _COUNTED_RUN]
        for line in _KEYBOARD_ROWS
        for row in (line, line[::-1])
        for start in range(len(row) - _COUNTED_RUN + 1)
    )
)


def _counted(value: str) -> bool:
    """A counted run in the value, or in either of its interleaved halves (`a1b2c3d4e5f6`: the
    letters count up, and so do the digits), short runs making up most of it, a walk along a
    keyboard row, or a body in a fixed rhythm of capitals, small letters and digits."""
    lowered = value.lower()
    return (
        any(_counted_run(part) for part in (lowered, lowered[0::2], lowered[1::2]))
        or _mostly_runs(lowered)
        or _KEYBOARD_WALK.search(lowered) is not None
        or _rhythmic(value)
    )


# A body whose capitals, small letters and digits repeat one short pattern holding all three
# (`Kx2Lv3Qw5...`: capital, small, digit) was typed or generated to look random: a drawn key of 24
# symbols or more follows such a pattern at nine symbols in ten about once in 10^5 keys (and a hex
# one, with no capitals, never).
_RHYTHM_PERIODS = (3, 4)
_RHYTHM_SHARE = 0.9
_RHYTHM_LENGTH = 24


def _rhythmic(value: str) -> bool:
    """Nine in ten of the longest segment's symbols follow one pattern of 3 or 4 symbol classes
    holding a capital, a small letter and a digit, however many symbols come before it starts."""
    body = _body(value)
    if len(body) < _RHYTHM_LENGTH:
        return False
    classes = ["A" if c.isupper() else "a" if c.islower() else "0" if c.isdigit() else "." for c in body]
    for period in _RHYTHM_PERIODS:
        for start in range(period):
            pattern = classes[start : start + period]
            if set(pattern) != {"A", "a", "0"}:
                continue
            matching = sum(
                1 for i in range(start, len(classes)) if classes[i] == pattern[(i - start) % period]
            )
            if matching >= _RHYTHM_SHARE * len(classes):
                return True
    return False


def _mostly_runs(lowered: str) -> bool:
    """At least four fifths of the value's longest segment (its drawn body, past a prefix such as
    `sk_live_`) lie in runs counting up, three or more long (`sk_live_51abc123def456ghi789`)."""
    body = _body(lowered)
    if len(body) < _MOSTLY_RUNS_LENGTH:
        return False
    in_runs = sum(length for length, step in _runs(body) if step == 1 and length >= _SHORT_RUN)
    return in_runs >= _MOSTLY_RUNS * len(body)


_HEX_BODY_LENGTH = 20


def _body(value: str) -> str:
    """The value's longest segment: its drawn body, past a prefix such as `sk_live_` or `ghp_`."""
    return max(_SEGMENTS.split(value), key=len)


def _hex_body(value: str) -> bool:
    """The value's body (`_body`) is hex digits."""
    body = _body(value)
    return len(body) >= _HEX_BODY_LENGTH and all(c in string.hexdigits for c in body)


def _counted_run(lowered: str) -> bool:
    return any(length >= _COUNTED_RUN for length, _ in _runs(lowered))


def _runs(lowered: str) -> Iterator[tuple[int, int]]:
    """(length, step) of each run of letters or digits counting up (step 1) or down (-1) one at a
    time (`abc`, `321`); a run that turns back starts the next from its last character."""
    run, step = 1, 0
    for before, after in itertools.pairwise(lowered):
        here = ord(after) - ord(before)
        if before.isalnum() and after.isalnum() and abs(here) == 1:
            if here == step:
                run += 1
                continue
            if step:
                yield run, step
            run, step = 2, here
        else:
            if step:
                yield run, step
            run, step = 1, 0
    if step:
        yield run, step


def entropy(value: str) -> float:
    """Shannon entropy in bits per character."""
    if not value:
        return 0.0
    counts = Counter(value)
    return -sum(n / len(value) * math.log2(n / len(value)) for n in counts.values())


# Hex carries at most 4 bits a character: a drawn key of 32 hex digits or more (Azure's API keys,
# many REST services') measures about 3.3 to 3.8 bits, under the 3.5 asked of a key of letters and
# digits, so hex is held to detect-secrets' bar for it (3.0).
_HEX_KEY = re.compile(r"[0-9a-f]{32,}|[0-9A-F]{32,}")
_HEX_KEY_ENTROPY = 3.0
_KEY_ENTROPY = 3.5


def looks_like_secret(value: str) -> bool:
    """A literal that is long, random-looking and not a placeholder or a made-up stand-in (rule
    23's literal branch)."""
    bar = _HEX_KEY_ENTROPY if _HEX_KEY.fullmatch(value) else _KEY_ENTROPY
    return (
        len(value) >= 20
        and " " not in value
        and entropy(value) >= bar
        and not is_placeholder(value)
        and not _human_written(value)
    )


def mask(value: str) -> str:
    """Show a secret's shape, never its body: 'sk-p…(164 chars)'."""
    return f"{value[:4]}…({len(value)} chars)"


# A value assigned to a name that says it is a credential: `api_key = "…"`, `TOKEN: …`,
# `os.environ["API_KEY"] = "…"` (also with the quotes escaped, as in notebook JSON). The name is
# matched as one token and checked afterwards: a pattern searching inside it backtracks
# cubically on long runs like `key_key_key…`.
_VALUE = r"(?P<secret>[A-Za-z0-9+/=_\-.~!@#$%^&*]{12,})"
_NAME = r"(?<![\w.-])(?P<name>[\w.-]+)"
# What may precede a line's code: indentation, a diff's `+`/`-`, or the prompt's line number and marker.
_GUTTER = r"[ \t]*(?:\d+[ \t]+)?(?:[+-][ \t]*)?"
_ASSIGNED = (
    # The value on the name's line (or after a `\` continuation): `PASSWORD=` left empty is no
    # assignment of the next line.
    re.compile(
        _NAME
        + r"\\?[\"']?\]?[ \t]*(?:=|:=|:|=>)[ \t]*(?:\\\r?\n[ \t]*)?(?:\\?[\"']|b[\"'])?"
        + _VALUE
        + r"(?![\w(\[])"
    ),
    # The name and the value apart: a Kubernetes `- name: X` / `value: …` pair, `ENV X value`.
    re.compile(
        r"(?i)\bname:[ \t]*[\"']?"
        + _NAME
        + r"[\"']?[ \t]*\r?\n"
        + _GUTTER
        + r"value:[ \t]*[\"']?"
        + _VALUE
        + r"(?![\w(\[])"
    ),
    re.compile(r"(?im)^" + _GUTTER + r"(?:ENV|ARG)[ \t]+" + _NAME + r"[ \t]+[\"']?" + _VALUE),
    # With a declared type: Rust `const NAME: &str = "…"`, TypeScript `const name: string = "…"`,
    # Go `const name string = "…"`.
    re.compile(
        _NAME
        + r"[ \t]*(?::[ \t]*&?(?:'static[ \t]+)?[\w.\[\]<>]{1,30}|[ \t]+[\w.\[\]]{1,30})[ \t]*:?=[ \t]*[\"'`]"
        + _VALUE
    ),
    # Set through a call: `os.Setenv("NAME", "…")`, `os.environ.setdefault("NAME", "…")`, `putenv`.
    re.compile(
        r"(?i)\b(?:setenv|putenv|setdefault)\(\s*\\?[\"']" + _NAME + r"\\?[\"']\s*,\s*\\?[\"']" + _VALUE
    ),
)
_CREDENTIAL_NAME = re.compile(r"(?i)(?:key|token|secret|passwd|password|pwd|credential)s?(?:[_.-]|$)")
_ATTRIBUTE_PATH = re.compile(r"[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)+")
_ASSIGNED_KIND = "credential"
_NAME_SPLIT = re.compile(r"[_.\-]+|(?<=[a-z0-9])(?=[A-Z])")
_NAME_PIECE = re.compile(r"(?:[A-Z]?[a-z]+|[A-Z]+)\d{0,3}|\d{1,4}")


def placeholder(kind: str, secret: str) -> str:
    """What a redacted secret becomes: its kind and length, never its body or the name it was under."""
    return f"<secret:{kind}, {len(secret)} chars>"


def redact(text: str) -> tuple[str, int]:
    """`text` with every secret replaced by a typed placeholder, and how many were replaced. Only
    the secret is replaced: the name it is assigned to, and names that merely sit where a value
    could, stay as they are."""
    count = 0

    def replace(kind: str, match: re.Match[str]) -> str:
        nonlocal count
        group = "secret" if kind == _ASSIGNED_KIND else 1
        secret = match.group(group)
        if kind == _ASSIGNED_KIND and not (
            _CREDENTIAL_NAME.search(match.group("name")) and _random_enough(secret)
        ):
            return match.group(0)
        count += 1
        start, end = match.span(group)
        whole = match.group(0)
        offset = match.start(0)
        return whole[: start - offset] + placeholder(kind, secret) + whole[end - offset :]

    for kind, shape in SHAPES.items():
        text = shape.pattern.sub(lambda m, k=kind: replace(k, m), text)  # type: ignore[misc]
    for pattern in _ASSIGNED:
        text = pattern.sub(lambda m: replace(_ASSIGNED_KIND, m), text)
    return text, count


def _random_enough(value: str) -> bool:
    """High-entropy, mixed-character values; not placeholders, not already redacted, not code, not
    a name (`MY_SERVICE_TOKEN_V2`, `tokenizer_Batch2`: words, each with at most a number after it)."""
    if is_placeholder(value) or _ATTRIBUTE_PATH.fullmatch(value) or looks_like_name(value):
        return False
    kinds = sum(bool(re.search(p, value)) for p in (r"[a-z]", r"[A-Z]", r"\d", r"[^A-Za-z0-9]"))
    return entropy(value) >= 3.0 and kinds >= 2 and not value.replace("_", "").isalpha()


def looks_like_name(value: str) -> bool:
    """An identifier made of words: every piece between `_`, `-`, `.` and camelCase humps is a
    word with at most a short number after it, and the pieces are word-sized on average.
    Random tokens interleave digits and letters, or change case every letter or two."""
    pieces = [p for p in _NAME_SPLIT.split(value) if p]
    return (
        bool(pieces)
        and all(_NAME_PIECE.fullmatch(p) for p in pieces)
        and sum(len(p) for p in pieces) / len(pieces) >= 3
    )


# Names a credential is kept under, judged on the name's parts (`openaiApiKey` and
# `OPENAI_API_KEY` both split to openai/api/key): a part that says credential, or `key` last;
# unless the last part says it is about the credential rather than the credential itself
# (`SECRET_NAME`, `HF_TOKEN_PATH`, `tokenUrl`), or the name is about tokens as text
# (`max_tokens`, `TOKENIZERS_PARALLELISM`, `stop_tokens`).
CREDENTIAL_PARTS = frozenset(
    ["token", "secret", "password", "passwd", "pwd", "credential", "credentials", "apikey"]
)
SETTING_PARTS = frozenset(
    [
        "name",
        "names",
        "path",
        "file",
        "dir",
        "url",
        "uri",
        "endpoint",
        "header",
        "length",
        "len",
        "limit",
        "size",
        "count",
        "budget",
        "mount",
        "ref",
        "id",
        "type",
        "env",
        "var",
        "field",
        "prefix",
        "ttl",
        "expiry",
        "expires",
        "timeout",
        "location",
        "arn",
        "tokens",
    ]
)
# A part saying the value is a one-way digest of the credential, not the credential
# (`password_hash`, detect-secrets' `hashed_secret`, `token_sha256`): what a login table or a
# secrets scanner's baseline keeps so that nobody need keep the secret.
DIGEST_PARTS = frozenset(["hash", "hashed", "digest", "sha1", "sha256", "sha512", "md5", "checksum"])
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")


def _name_parts(name: str) -> list[str]:
    return [p for p in re.split(r"[_.\-\s]+", _CAMEL.sub("_", name).lower()) if p]


def credential_name(name: str) -> bool:
    """Does this variable, key or field name hold a credential (`HF_TOKEN`, `apiKey`, `db_password`)?"""
    parts = _name_parts(name)
    if not parts or parts[-1] in SETTING_PARTS or any(p.startswith("tokeniz") or p == "max" for p in parts):
        return False
    if any(p in DIGEST_PARTS for p in parts):
        return False
    return any(p in CREDENTIAL_PARTS for p in parts) or parts[-1] == "key"


# What makes a `key` a credential rather than a lookup key (`cache_key`, `sort_key`): a word for
# its use, or the service it opens (KEY_PROVIDERS: hosted model, speech, vector and search APIs
# whose keys open a paid account).
KEY_USES = frozenset(
    [
        "api",
        "secret",
        "access",
        "private",
        "auth",
        "signing",
        "encryption",
        "master",
        "license",
        "subscription",
        "service",
    ]
)
KEY_PROVIDERS = frozenset(
    [
        "openai",
        "anthropic",
        "claude",
        "cohere",
        "mistral",
        "groq",
        "gemini",
        "google",
        "hf",
        "huggingface",
        "together",
        "replicate",
        "pinecone",
        "langsmith",
        "langchain",
        "wandb",
        "azure",
        "aws",
        "voyage",
        "jina",
        "deepseek",
        "perplexity",
        "fireworks",
        "openrouter",
        "weaviate",
        "qdrant",
        "xai",
        "cerebras",
        "deepgram",
        "elevenlabs",
        "cartesia",
        "assemblyai",
        "livekit",
        "tavily",
        "serper",
        "serpapi",
        "firecrawl",
    ]
)
KEY_QUALIFIERS = KEY_USES | KEY_PROVIDERS


# Words one of which every reported credential name holds (policy.py repeats them for the
# pre-commit screen: a file with none of them, and no key shape, cannot hold a finding).
CREDENTIAL_WORDS = ("api_key", "apikey", "api-key", "token", "secret", "passw", "credential")


def _names_credential(name: str) -> bool:
    lowered = name.lower()
    return credential_name(name) and any(word in lowered for word in CREDENTIAL_WORDS)


def names_a_provider(name: str) -> bool:
    """The credential name names a hosted service (`PINECONE_API_KEY`, `openaiKey`): its key opens
    an account elsewhere, whatever the file around it points at."""
    return any(part in KEY_PROVIDERS for part in _name_parts(name))


def _says_what_credential(name: str) -> bool:
    """A credential name precise enough, with a random value, to report a literal of no known
    shape: not a bare `token` (pagination, CSRF, test values), and a `key` only with a word for
    its use or its service (`api_key`, `OPENAI_KEY`; not `cache_key`)."""
    if not _names_credential(name):
        return False
    parts = _name_parts(name)
    if any(p in CREDENTIAL_PARTS and p != "token" for p in parts):
        return True
    if parts[-1] == "key":
        return len(parts) > 1 and parts[-2] in KEY_QUALIFIERS
    return len(parts) > 1


@dataclasses.dataclass(frozen=True)
class Detected:
    """A committed secret: its kind (a `SHAPES` key, or `credential-literal` for a random value
    under a credential name), where it starts in the scanned text, and the name it is assigned
    to when it was found that way."""

    kind: str
    label: str
    secret: str
    start: int
    name: str | None = None

    @property
    def exact(self) -> bool:
        """Its shape identifies the kind of key; else only its name and randomness say secret."""
        return self.kind != "credential-literal"


# Cheap first look: a line with none of these holds no secret any detector would report.
_HINT = re.compile(
    r"(?i)key|token|secret|passw|pwd|credential|sk-|hf_|aiza|akia|asia|abia|acca|gh[pousr]_|github_pat"
    r"|xox|hooks\.slack|gocspx|glpat|_live_|gsk_|r8_|pcsk_|lsv2_|sg\.|npm_|pypi-|dapi"
)
_TOKEN_ALPHABET = re.compile(r"[A-Za-z0-9_\-+=]{20,}")


def detect(text: str) -> Iterator[Detected]:
    """The secrets in `text` a finding may report: shapes that identify themselves anywhere, and
    values assigned to a credential name that have a key's shape or are random tokens."""
    if not _HINT.search(text):
        return
    taken: list[tuple[int, int]] = []
    for kind, shape in SHAPES.items():
        if shape.detect != "anywhere":
            continue
        for match in shape.pattern.finditer(text):
            if not shape.stands_in(match.group(1)):
                taken.append(match.span(1))
                yield Detected(kind, shape.label, match.group(1), match.start(1))
    for pattern in _ASSIGNED:
        for match in pattern.finditer(text):
            start, end = match.span("secret")
            name, value = match.group("name"), match.group("secret")
            if any(s < end and start < e for s, e in taken) or not credential_name(name):
                continue
            if not (_names_credential(name) or value.startswith(("sk-", "hf_"))):
                continue
            if (
                value.startswith(PUBLIC_KEY_PREFIXES)
                or _search_only_key(text, start)
                or _human_written(value)
                or _encoded_stand_in(value)
                or not _standalone(text, start, end)
            ):
                continue
            found = _assigned_shape(value)
            if found is not None:
                kind, secret = found
                yield Detected(kind, SHAPES[kind].label, secret, start + value.index(secret), name)
            elif _random_token(value) and _says_what_credential(name):
                yield Detected("credential-literal", "literal credential", value, start, name)
            else:
                continue
            taken.append((start, end))


def _assigned_shape(value: str) -> tuple[str, str] | None:
    for kind, shape in SHAPES.items():
        if shape.detect == "assigned":
            match = shape.pattern.search(value)
            if match is not None and not shape.stands_in(match.group(1)):
                return kind, match.group(1)
    return None


# Keys made to be shipped to browsers and apps: PostHog project keys, Stripe publishable keys.
PUBLIC_KEY_PREFIXES = ("phc_", "pk_live_", "pk_test_")
# A search-only key of a hosted search index (Algolia DocSearch / InstantSearch): the key of a config
# that also names the application id and the index, served to every visitor of the docs site.
_SEARCH_CONFIG = (re.compile(r"\bapp_?id\b", re.I), re.compile(r"\bindex_?name\b", re.I))


def _search_only_key(text: str, start: int) -> bool:
    return search_config(text[max(0, start - 300) : start + 300])


def search_config(near: str) -> bool:
    """`near` (the text around a key) configures a hosted search index: its key is search-only."""
    return all(word.search(near) for word in _SEARCH_CONFIG)


_SEGMENTS = re.compile(r"[-_.]+")


_WORD = re.compile(r"[A-Z][a-z]+|[a-z]{2,}|[A-Z]{2,}(?![a-z])")
# A number written in hex (`0xDEADBEEF`, a 64-bit value at most): typed, as a decimal one is.
_HEX_NUMBER = re.compile(r"0[xX][0-9A-Fa-f]{1,16}")
_WORDS_THEN_NUMBER = re.compile(r"(?:[A-Z][a-z]+|[a-z]{2,}|[A-Z]{2,}(?![a-z]))+\d*|\d+[A-Za-z]{0,3}")


_BASE64 = re.compile(r"(?:[A-Za-z0-9+/]{4})+(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?")


def _encoded_stand_in(value: str) -> bool:
    """Base64 of a stand-in or of words a person typed (a Kubernetes Secret's `data:` holds its
    values encoded: `ZG9jc2dwdC1kZXYtc2VjcmV0LWNoYW5nZS1tZQ==` is `docsgpt-dev-secret-change-me`).
    A key's bytes encoded stay a key's: judged as they are."""
    if _BASE64.fullmatch(value) is None:
        return False
    try:
        text = base64.b64decode(value, validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return False
    return text.isprintable() and (stand_in(text) or _human_written(text))


def _human_written(value: str) -> bool:
    """Words and numbers (`dev-secret-for-testing-12345678`, `sk-super-secret-1234567890`,
    `validadminsecret12345`, `NotRequiredSinceWeAreLocal`, `canary-0xCAFEF00D`), or a class name of
    words (`Mistral3ForTokenClassification`): typed by a person, not generated. A generated key
    has a long segment of letters and digits in no word order."""
    for segment in (p for p in _SEGMENTS.split(value) if len(p) > 8):
        words = _WORD.findall(segment)
        typed = _HEX_NUMBER.fullmatch(segment) or (
            _WORDS_THEN_NUMBER.fullmatch(segment) and not (words and sum(map(len, words)) / len(words) < 3.5)
        )
        if not (typed or _class_name(segment)):
            return False
    return True


# A piece of a class or type name: a word of three letters or more, or an acronym, each with at
# most a short number after it (`Qwen3`, `For`, `LM`), or a number. A random key's humps are
# shorter (`Fq9`, `Lz2`).
_CLASS_NAME_PIECE = re.compile(r"(?:[A-Z]?[a-z]{2,}|[A-Z]{2,5})\d{0,3}|\d{1,4}")


def _class_name(segment: str) -> bool:
    """A name of words in camel case (`Mistral3ForTokenClassification`, `Qwen3MoeForCausalLM`)."""
    pieces = [p for p in _NAME_SPLIT.split(segment) if p]
    return len(pieces) >= 3 and all(_CLASS_NAME_PIECE.fullmatch(p) for p in pieces)


def _standalone(text: str, start: int, end: int) -> bool:
    """The value is a literal: quoted, or all that is left of its line (YAML, `.env`, `ENV`) —
    not the first name of an expression such as `conn.secrets["key"]`."""
    if start > 0 and text[start - 1] in "\"'`":
        return True
    rest = text[end:].split("\n", 1)[0]
    return re.fullmatch(r"\s*(?:\\|#.*)?", rest) is not None


def _random_token(value: str) -> bool:
    """A key-like literal: one token of key characters, long, random, letters and digits mixed."""
    return (
        _TOKEN_ALPHABET.fullmatch(value) is not None
        and looks_like_secret(value)
        and any(c.isdigit() for c in value)
        and any(c.isalpha() for c in value)
    )
