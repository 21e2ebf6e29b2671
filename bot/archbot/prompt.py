"""The request the persona review sends: the system text and the user turn, with every piece of
untrusted text inside DATA markers."""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Sequence

from archbot import protocol
from archbot.layout import FileBlock
from archbot.models import Finding

MAX_GUIDANCE_CHARS = 6000


def system_text(persona_body: str, max_findings: int) -> str:
    """The persona's prompt, then the fixed review protocol (cached across calls as one block)."""
    return f"{persona_body.strip()}\n\n{protocol.protocol_text(max_findings)}"


def user_text(
    blocks: Sequence[FileBlock], hints: Sequence[Finding], guidance: Sequence[tuple[str, str]]
) -> str:
    """The user turn. Untrusted text sits between markers whose tag is derived from the text itself,
    so the text cannot contain (and fake) its own end marker."""
    body = "\n\n".join(b.text for b in blocks)
    docs = "\n\n".join(f"guidance file: {path}\n{text[:MAX_GUIDANCE_CHARS]}" for path, text in guidance)
    # File paths are untrusted too: the hints sit inside the markers like the diff.
    notes = "\n".join(f"- {h.file}:{h.line} [{h.rule}] {h.severity.label}: {h.title}" for h in hints)
    tag = hashlib.sha256((body + docs + notes).encode()).hexdigest()[:16]
    parts = [
        "Review this change. Line numbers are new-file line numbers; `+` marks added lines, "
        "`-` removed lines (no new number), blank marks unchanged context.",
    ]
    if docs:
        parts.append(f"Repository guidance:\n<<<DATA {tag}>>>\n{docs}\n<<<END DATA {tag}>>>")
    if hints:
        parts.append(
            f"Rule hints (static findings on this diff):\n<<<DATA {tag}>>>\n{notes}\n<<<END DATA {tag}>>>"
        )
    parts.append(f"The diff:\n<<<DATA {tag}>>>\n{body}\n<<<END DATA {tag}>>>")
    return "\n\n".join(parts)


@dataclasses.dataclass(frozen=True)
class Request:
    """One call as sent: the model, the system text, and the conversation (user turn first, then
    alternating assistant and user turns)."""

    model: str
    system: str
    turns: tuple[str, ...]


def estimate_tokens(text: str) -> int:
    """A deliberately high estimate (about 3 characters a token) for when the API cannot count."""
    return len(text) // 3 + 1
