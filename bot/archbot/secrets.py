"""Secret shapes: provider keys (gitleaks' patterns), placeholders and entropy."""

from __future__ import annotations

import math
import re
from collections import Counter

# A backslash ends a secret too: `\n` in escaped strings, `\"` in notebook JSON.
_END = r"(?=[`'\"\s;,)\]}]|\\|$)"

# The LLM-provider keys rule 23 names, as gitleaks writes them.
PROVIDER_KEYS: dict[str, re.Pattern[str]] = {
    "openai-api-key": re.compile(
        r"\b(sk-(?:proj|svcacct|admin)-(?:[A-Za-z0-9_-]{74}|[A-Za-z0-9_-]{58})T3BlbkFJ"
        r"(?:[A-Za-z0-9_-]{74}|[A-Za-z0-9_-]{58})|sk-[a-zA-Z0-9]{20}T3BlbkFJ[a-zA-Z0-9]{20})" + _END
    ),
    "anthropic-api-key": re.compile(r"\b(sk-ant-api03-[a-zA-Z0-9_\-]{93}AA)" + _END),
    "anthropic-admin-api-key": re.compile(r"\b(sk-ant-admin01-[a-zA-Z0-9_\-]{93}AA)" + _END),
    "huggingface-access-token": re.compile(r"\b(hf_[a-zA-Z]{34})" + _END),
    "google-api-key": re.compile(r"\b(AIza[0-9A-Za-z\-_]{35})" + _END),
}

_PLACEHOLDER = re.compile(r"x{4,}|your|example|changeme|dummy|placeholder|<|\$\{|\{\{", re.I)


def provider_key(text: str) -> tuple[str, re.Match[str]] | None:
    """The first provider key in `text`, unless it is a placeholder."""
    for name, pattern in PROVIDER_KEYS.items():
        for match in pattern.finditer(text):
            if not is_placeholder(match.group(1)):
                return name, match
    return None


def is_placeholder(value: str) -> bool:
    return bool(_PLACEHOLDER.search(value))


def entropy(value: str) -> float:
    """Shannon entropy in bits per character."""
    if not value:
        return 0.0
    counts = Counter(value)
    return -sum(n / len(value) * math.log2(n / len(value)) for n in counts.values())


def looks_like_secret(value: str) -> bool:
    """A literal that is long, random-looking and not a placeholder (rule 23's literal branch)."""
    return len(value) >= 20 and " " not in value and entropy(value) >= 3.5 and not is_placeholder(value)


def mask(value: str) -> str:
    """Show a secret's shape, never its body: 'sk-p…(164 chars)'."""
    return f"{value[:4]}…({len(value)} chars)"


# What is masked before anything is sent to a model: the provider keys above plus other common
# credentials. Each pattern's group 1 is the secret itself.
REDACTION_PATTERNS: dict[str, re.Pattern[str]] = {
    **PROVIDER_KEYS,
    "openai-key": re.compile(r"\b(sk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_-]{20,})" + _END),
    "anthropic-key": re.compile(r"\b(sk-ant-[a-z0-9]+-[A-Za-z0-9_\-]{20,})" + _END),
    "huggingface-token": re.compile(r"\b(hf_[A-Za-z0-9]{30,})" + _END),
    "aws-access-key-id": re.compile(r"\b((?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16})\b"),
    "aws-secret-access-key": re.compile(
        r"(?i)aws_?secret_?(?:access_?)?key\W{0,4}[=:]\s*\\?[\"']?([A-Za-z0-9/+=]{40})(?![A-Za-z0-9/+=])"
    ),
    "github-token": re.compile(r"\b(gh[pousr]_[A-Za-z0-9]{36,255}|github_pat_[A-Za-z0-9_]{60,255})\b"),
    "google-oauth-secret": re.compile(r"\b(GOCSPX-[A-Za-z0-9_-]{28})" + _END),
    "slack-token": re.compile(r"\b(xox[abposr]-[A-Za-z0-9-]{10,})" + _END),
    "slack-webhook": re.compile(r"(https://hooks\.slack\.com/(?:services|workflows)/[A-Za-z0-9/_-]{20,})"),
    "gitlab-token": re.compile(r"\b(glpat-[A-Za-z0-9_-]{20,})" + _END),
    "stripe-key": re.compile(r"\b([sr]k_live_[A-Za-z0-9]{20,})" + _END),
    "groq-key": re.compile(r"\b(gsk_[A-Za-z0-9]{40,})" + _END),
    "replicate-token": re.compile(r"\b(r8_[A-Za-z0-9]{30,})" + _END),
    "pinecone-key": re.compile(r"\b(pcsk_[A-Za-z0-9]{4,}_[A-Za-z0-9]{40,})" + _END),
    "langsmith-key": re.compile(r"\b(lsv2_(?:pt|sk)_[a-f0-9]{32}_[a-f0-9]{10})" + _END),
    "sendgrid-key": re.compile(r"\b(SG\.[A-Za-z0-9_-]{20,24}\.[A-Za-z0-9_-]{39,50})" + _END),
    "twilio-key": re.compile(r"\b(SK[0-9a-f]{32})\b"),
    "npm-token": re.compile(r"\b(npm_[A-Za-z0-9]{36})\b"),
    "pypi-token": re.compile(r"\b(pypi-AgEIcHlwaS5vcmc[A-Za-z0-9_-]{50,})" + _END),
    "databricks-token": re.compile(r"\b(dapi[0-9a-f]{32}(?:-\d)?)\b"),
    "jwt": re.compile(r"\b(eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{16,})" + _END),
    # The password of `scheme://user:password@host`.
    "url-password": re.compile(r"\b[a-z][a-z0-9+.-]{1,20}://[^\s:/@'\"`]{1,100}:([^\s:/@'\"`]{3,200})@"),
    "private-key": re.compile(
        r"(-----BEGIN[A-Z ]*PRIVATE KEY(?: BLOCK)?-----"
        r"(?:.*?-----END[A-Z ]*PRIVATE KEY(?: BLOCK)?-----|.*\Z))",
        re.S,
    ),
}
# A value assigned to a name that says it is a credential: `api_key = "…"`, `TOKEN: …`,
# `os.environ["API_KEY"] = "…"` (also with the quotes escaped, as in notebook JSON). The name is
# matched as one token and checked afterwards: a pattern searching inside it backtracks
# cubically on long runs like `key_key_key…`.
_VALUE = r"(?P<secret>[A-Za-z0-9+/=_\-.~!@#$%^&*]{12,})"
_NAME = r"(?<![\w.-])(?P<name>[\w.-]+)"
# What may precede a line's code: indentation, a diff's `+`/`-`, or the prompt's line number and marker.
_GUTTER = r"[ \t]*(?:\d+[ \t]+)?(?:[+-][ \t]*)?"
_ASSIGNED = (
    re.compile(_NAME + r"\\?[\"']?\]?\s*(?:=|:|=>)\s*(?:\\?[\"']|b[\"'])?" + _VALUE + r"(?![\w(\[])"),
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
)
_CREDENTIAL_NAME = re.compile(r"(?i)(?:key|token|secret|passwd|password|pwd|credential)s?(?:[_.-]|$)")
_ATTRIBUTE_PATH = re.compile(r"[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)+")


def redact(text: str) -> tuple[str, int]:
    """`text` with every secret replaced by `[REDACTED:kind]`, and how many were replaced."""
    count = 0

    def replace(kind: str, match: re.Match[str]) -> str:
        nonlocal count
        group = "secret" if kind == "assigned" else 1
        secret = match.group(group)
        if kind == "assigned" and not (
            _CREDENTIAL_NAME.search(match.group("name")) and _random_enough(secret)
        ):
            return match.group(0)
        count += 1
        start, end = match.span(group)
        whole = match.group(0)
        offset = match.start(0)
        return whole[: start - offset] + f"[REDACTED:{kind}]" + whole[end - offset :]

    for kind, pattern in REDACTION_PATTERNS.items():
        text = pattern.sub(lambda m, k=kind: replace(k, m), text)  # type: ignore[misc]
    for pattern in _ASSIGNED:
        text = pattern.sub(lambda m: replace("assigned", m), text)
    return text, count


def _random_enough(value: str) -> bool:
    """High-entropy, mixed-character values; not placeholders, not already redacted, not code."""
    if is_placeholder(value) or "REDACTED" in value or _ATTRIBUTE_PATH.fullmatch(value):
        return False
    kinds = sum(bool(re.search(p, value)) for p in (r"[a-z]", r"[A-Z]", r"\d", r"[^A-Za-z0-9]"))
    return entropy(value) >= 3.0 and kinds >= 2 and not value.replace("_", "").isalpha()
