"""Secret shapes: provider keys (gitleaks' patterns), placeholders and entropy."""

from __future__ import annotations

import math
import re
from collections import Counter

_END = r"(?=[`'\"\s;,)\]}]|\\[nr]|$)"

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
