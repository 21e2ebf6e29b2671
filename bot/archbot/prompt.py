"""The request the persona review sends: the system text, and the user turn with every piece of
untrusted text inside DATA markers of its own."""

from __future__ import annotations

import dataclasses
import hashlib
import re
from collections.abc import Mapping, Sequence

from archbot import protocol
from archbot.layout import FileBlock
from archbot.models import Finding

MAX_GUIDANCE_CHARS = 6000
# Rule findings in these roles are not hints: tests and mocks hold secrets and shortcuts on purpose.
NO_HINT_ROLES = frozenset(("test", "generated", "vendored", "docs"))
# The filter's "(3 places)" on a grouped finding's title: the hint lists the lines instead.
_PLACES = re.compile(r" \(\d+ places(?: in \d+ files)?\)$")
_MOCK_PATH = re.compile(
    r"(?:^|/)(?:mocks?|fakes?|stubs?|fixtures?)(?:/|$)|(?:^|/)(?:mock|fake|stub)_[^/]*$", re.I
)

INTRO = (
    "Review this change. Each file shows its changed lines in line order with the code around them: "
    "`+` added, `-` removed, blank unchanged; added and unchanged lines carry new-file numbers, "
    "removed lines their old-file number as `-N`; `...` marks lines left out."
)


@dataclasses.dataclass(frozen=True)
class Hint:
    """One rule's findings in one file, as one line of the hints."""

    id: str
    file: str
    rule: str
    severity: str
    title: str
    lines: tuple[int, ...]


@dataclasses.dataclass(frozen=True)
class Section:
    """A titled part of the user turn; `text` is untrusted and goes inside DATA markers."""

    title: str
    text: str


@dataclasses.dataclass(frozen=True)
class Request:
    """One call as sent: the model, the system text, and the conversation (user turn first, then
    alternating assistant and user turns)."""

    model: str
    system: str
    turns: tuple[str, ...]


def system_text(persona_body: str, max_findings: int) -> str:
    """The persona's prompt, then the fixed review protocol (cached across calls as one block)."""
    return f"{persona_body.strip()}\n\n{protocol.protocol_text(max_findings)}"


def hints(findings: Sequence[Finding], roles: Mapping[str, str]) -> tuple[Hint, ...]:
    """Rule findings as hints: none from tests, mocks, docs or generated code; one line per file and
    rule, listing its lines, at its worst severity; numbered in the order of the places they point
    at (file, then first line), as the change is shown."""
    groups: dict[tuple[str, str], list[tuple[Finding, tuple[int, ...]]]] = {}
    for finding in findings:
        if (
            finding.source != "rules"
            or roles.get(finding.file) in NO_HINT_ROLES
            or _MOCK_PATH.search(finding.file)
        ):
            continue
        for path, numbers in ((finding.file, finding.lines), *finding.also):
            groups.setdefault((path, finding.rule), []).append((finding, numbers))
    placed = sorted(
        (
            (path, sorted({line for _, numbers in items for line in numbers}), rule, [f for f, _ in items])
            for (path, rule), items in groups.items()
        ),
        key=lambda group: (group[0], group[1], group[2]),
    )
    out = []
    for number, (path, lines, rule, items) in enumerate(placed, start=1):
        worst = max(items, key=lambda f: f.severity)
        title = _PLACES.sub("", worst.title)
        out.append(Hint(f"H{number}", path, rule, worst.severity.label, title, tuple(lines)))
    return tuple(out)


def hint_lines(items: Sequence[Hint]) -> str:
    return "\n".join(
        f"{h.id} {h.file} [{h.rule}] {h.severity}: {h.title} (line{'s' * (len(h.lines) > 1)} "
        f"{', '.join(map(str, h.lines))})"
        for h in items
    )


def user_text(blocks: Sequence[FileBlock], sections: Sequence[Section]) -> str:
    """The first user turn: the intro, each section, then the files."""
    return user_turn(INTRO, [*sections, Section("The change", "\n\n".join(b.text for b in blocks))])


def user_turn(intro: str, sections: Sequence[Section]) -> str:
    """A user turn. Every DATA block has its own marker, derived from everything in the turn: no
    text inside can contain (and fake) any marker of the turn."""
    seed = hashlib.sha256("\0".join(f"{s.title}\0{s.text}" for s in sections).encode()).hexdigest()
    out = [intro]
    for section in sections:
        if not section.text:
            continue
        tag = hashlib.sha256(f"{seed}\0{section.title}".encode()).hexdigest()[:16]
        out.append(f"{section.title}:\n<<<DATA {tag}>>>\n{section.text}\n<<<END DATA {tag}>>>")
    return "\n\n".join(out)


def estimate_tokens(text: str) -> int:
    """A deliberately high estimate (about 3 characters a token) for when the API cannot count."""
    return len(text) // 3 + 1
