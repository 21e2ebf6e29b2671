"""What a Claude Code agent file says that matters for reviewing a diff.

Agent files are written for an interactive assistant: besides the reviewer's focus, checklists and
standards they carry instructions about delegating to other agents, tools, sessions and slash
commands, shell snippets, examples of chat, diagrams and project-specific context. `review_body`
keeps what a reviewer of a diff can use; `focus_text` is the part that says what the agent is about
(its description and focus sections), from which a new agent's routing triggers are derived.
"""

from __future__ import annotations

import dataclasses
import re
import unicodedata
from collections.abc import Iterator

# Sections dropped whole, by words of their heading: delegation and other agents, tools, sessions
# and commands, examples and output formats of a chat, plans, project context, activation rules
# (routing is archbot's), and out-of-scope lists (lanes focus a reviewer, never forbid a finding).
_DROP_HEADING = re.compile(
    r"\b(?:deleg\w*|sub-?agents?|coordinat\w*|collaborat\w*|hand-?offs?|related agents|other agents"
    r"|session\w*|tools?|commands?|skills?|mcp|memory|artifacts?"
    r"|examples?|interactions?|samples?|outputs?|deliverables|(?:report|response) format"
    r"|communication|conversation|clarifying questions"
    r"|workflows?|numbered steps|roadmaps?|implementation plan|phases?|team structure|estimated costs?"
    r"|project context|for this project|context awareness|project-specific"
    r"|triggers?|triggered|when to (?:use|activate|invoke)|activation"
    r"|not responsible|not for|boundaries|out of scope|will not|escalat\w*)\b",
    re.I,
)
# Sections that say what the agent is about (its domain), for derived routing triggers.
_FOCUS_HEADING = re.compile(
    r"\b(?:focus\w*|expertise|competenc\w*|responsibilit\w*|domains?|scope|triggers?"
    r"|when to (?:use|activate))\b",
    re.I,
)
# Lines that instruct an interactive agent rather than a reviewer.
_DROP_LINE = re.compile(
    r"\b(?:task tool|delegat\w*|sub-?agents?|coordinator|hand(?:s|ing)? off|handoff|other agents?"
    r"|skills? invoked|clarifying questions?|active session|session file)\b"
    r"|\.claude/"
    r"|(?<![\w/])/[a-z][\w-]*:[a-z]"  # slash commands: /omgml:init
    r"|\(see `?[a-z0-9]+(?:-[a-z0-9]+)+`?"  # "(see `llm-app-engineer`)"
    r"|(?:→|->)\s*`?[a-z0-9]+(?:-[a-z0-9]+)+`?\s*$"  # "Cost analysis → llm-cost-optimizer"
    r"|\b(?:Read|Edit|Write|Bash|Grep|Glob|WebFetch|WebSearch|MultiEdit)\b,\s*"
    r"\b(?:Read|Edit|Write|Bash|Grep|Glob|WebFetch|WebSearch|MultiEdit)\b",
    re.I,
)
# A line of a chat transcript: `user: "..."`, `**Assistant**: ...`, `Human: ...`.
_CHAT_LINE = re.compile(r"^\s*[>*_-]*\s*\**(?:user|assistant|human|ai|response)\**\s*\**:", re.I)
_EXAMPLE_OPEN = re.compile(r"<(example|commentary)>", re.I)
_HEADING = re.compile(r"(#{1,6})[ \t]+(.*?)[ \t#]*")
# A line that is only bold text ending in a colon: `**Core Expertise Areas:**` heads what follows.
_PSEUDO_HEADING = re.compile(r"\*\*([^*]+?):\*\*[ \t]*|\*\*([^*]+?)\*\*:[ \t]*")
_FENCE = re.compile(r"[ \t]*(```+|~~~+)[ \t]*([\w+-]*).*")
_SHELL_LANGS = frozenset(("bash", "sh", "shell", "zsh", "console", "powershell", "ps1", "fish", "cmd"))
_DOCUMENT_LANGS = frozenset(("markdown", "md", "text", "txt", "plaintext", "mermaid", "ascii"))
_DIAGRAM_CHARS = frozenset("│─┌┐└┘├┤┬┴┼║═╔╗╚╝↓↑▼▲")
# A code block longer than this is a template or a worked example for writing code, not a criterion.
MAX_FENCE_LINES = 15
PSEUDO_LEVEL = 7
# UTF-8 text that was decoded as Mac Roman or Windows-1252 and saved again: `‚Üí` for `→`.
_MOJIBAKE_RUN = re.compile(r"[^\x00-\x7f]{2,}")


@dataclasses.dataclass(frozen=True)
class Block:
    """A heading, a fenced code block or one line of text, in document order."""

    kind: str  # "heading" | "fence" | "text"
    lines: tuple[str, ...]
    level: int = 0
    title: str = ""
    lang: str = ""


def repair_mojibake(text: str) -> str:
    """Undo the common double encoding of UTF-8 read as Mac Roman or Windows-1252 (`üö®` -> 🚨).
    A run is replaced only when it re-encodes to valid UTF-8: genuine accented text stays."""

    def fix(match: re.Match[str]) -> str:
        run = match.group(0)
        for codec in ("mac_roman", "cp1252"):
            try:
                repaired = run.encode(codec).decode("utf-8")
            except (UnicodeEncodeError, UnicodeDecodeError):
                continue
            if len(repaired) < len(run):
                return repaired
        return run

    return _MOJIBAKE_RUN.sub(fix, text)


def blocks(body: str) -> list[Block]:
    out: list[Block] = []
    lines = body.splitlines()
    index = 0
    while index < len(lines):
        line = lines[index]
        fence = _FENCE.fullmatch(line)
        if fence is not None:
            marker = fence.group(1)
            end = next((i for i in range(index + 1, len(lines)) if lines[i].strip().startswith(marker)), None)
            stop = len(lines) if end is None else end + 1
            out.append(Block("fence", tuple(lines[index:stop]), lang=fence.group(2).lower()))
            index = stop
            continue
        heading = _HEADING.fullmatch(line)
        pseudo = _PSEUDO_HEADING.fullmatch(line)
        if heading is not None:
            out.append(Block("heading", (line,), len(heading.group(1)), heading.group(2)))
        elif pseudo is not None:
            out.append(Block("heading", (line,), PSEUDO_LEVEL, pseudo.group(1) or pseudo.group(2)))
        else:
            out.append(Block("text", (line,)))
        index += 1
    return out


def _sections(items: list[Block], wanted: re.Pattern[str]) -> Iterator[tuple[bool, Block]]:
    """Each block with whether it sits under a heading matching `wanted` (at any enclosing level)."""
    open_levels: list[tuple[int, bool]] = []
    for block in items:
        if block.kind == "heading":
            while open_levels and open_levels[-1][0] >= block.level:
                open_levels.pop()
            open_levels.append((block.level, bool(wanted.search(block.title))))
        yield any(matched for _, matched in open_levels), block


def _without_examples(lines: list[str]) -> list[str]:
    """Lines outside <example> and <commentary> elements."""
    kept: list[str] = []
    closing: str | None = None
    for line in lines:
        if closing is not None:
            if closing in line.lower():
                closing = None
            continue
        opened = _EXAMPLE_OPEN.search(line)
        if opened is not None:
            tag = f"</{opened.group(1).lower()}>"
            if tag not in line.lower():
                closing = tag
            continue
        kept.append(line)
    return kept


def _keep_fence(block: Block) -> bool:
    if block.lang in _SHELL_LANGS or block.lang in _DOCUMENT_LANGS:
        return False
    content = block.lines[1:-1]
    if len(content) > MAX_FENCE_LINES:
        return False
    if any(line.lstrip().startswith("$ ") for line in content):
        return False
    return not any(char in _DIAGRAM_CHARS for line in content for char in line)


def _keep_line(line: str) -> bool:
    return not (_DROP_LINE.search(line) or _CHAT_LINE.match(line))


def strip_emoji(line: str) -> str:
    """Pictographs and their joiners/variation selectors: decoration that costs tokens. Arrows,
    maths and box-drawing characters are kept (diagrams are dropped as blocks)."""
    kept = "".join(
        char
        for char in line
        if not (
            (unicodedata.category(char) == "So" and ord(char) >= 0x2600)
            or char in "\u200d\ufe0f\ufe0e"
            or 0x1F000 <= ord(char) <= 0x1FAFF
        )
    )
    return re.sub(r"(?<=\S) {2,}", " ", kept).rstrip() if kept != line else line


def review_body(body: str) -> str:
    """The review-relevant part of an agent file's body (see the module docstring)."""
    items = [b for dropped, b in _sections(blocks(repair_mojibake(body)), _DROP_HEADING) if not dropped]
    kept: list[Block] = []
    text_run: list[str] = []

    def flush() -> None:
        kept.extend(Block("text", (line,)) for line in _without_examples(text_run) if _keep_line(line))
        text_run.clear()

    for block in items:
        if block.kind == "text":
            text_run.append(block.lines[0])
            continue
        flush()
        if block.kind == "heading" or _keep_fence(block):
            kept.append(block)
    flush()
    return _tidy(_without_empty_headings(kept))


def _without_empty_headings(items: list[Block]) -> list[Block]:
    """Headings with nothing left under them (up to the next heading of the same or a higher level)."""
    result: list[Block] = []
    for index, block in enumerate(items):
        if block.kind != "heading":
            result.append(block)
            continue
        following = items[index + 1 :]
        for other in following:
            if other.kind == "heading" and other.level <= block.level:
                break
            if other.kind != "heading" and any(
                line.strip() and line.strip() != "---" for line in other.lines
            ):
                result.append(block)
                break
    return result


def _tidy(items: list[Block]) -> str:
    lines: list[str] = []
    for block in items:
        for line in block.lines:
            cleaned = strip_emoji(line) if block.kind != "fence" else line
            if cleaned.strip() == "---" or (not cleaned.strip() and (not lines or not lines[-1].strip())):
                continue
            lines.append(cleaned)
    return "\n".join(lines).strip()


_NEGATIVE_START = re.compile(r"^\s*(?:not for|not responsible|do not use|don't use)\b", re.I)
_NEGATIVE_HEADING = re.compile(
    r"\b(?:not responsible|not for|will not|out of scope|boundaries|related agents|deleg\w*|collaborat\w*)\b",
    re.I,
)


def focus_text(description: str, body: str) -> str:
    """What the agent says it is about: its description without examples of chat and without its
    "NOT for" part, and the body's focus sections (all of the review body when it has none)."""
    described: list[str] = []
    negative = False
    for line in _without_examples(description.replace("\\n", "\n").splitlines()):
        if _NEGATIVE_START.match(line):
            negative = True
        elif negative and not line.strip():
            negative = False
        elif not negative and _keep_line(line):
            described.append(line)
    items = blocks(repair_mojibake(body))
    excluded = {id(b) for inside, b in _sections(items, _NEGATIVE_HEADING) if inside}
    focus = [b for inside, b in _sections(items, _FOCUS_HEADING) if inside and id(b) not in excluded]
    chosen = focus or blocks(review_body(body))
    lines = _without_examples([b.lines[0] for b in chosen if b.kind != "fence"])
    return "\n".join([*described, *(line for line in lines if _keep_line(line))])


def summary(description: str) -> str:
    """A description on one line, as a person reads it: escapes undone, examples of chat left out."""
    lines = _without_examples(repair_mojibake(description).replace("\\n", "\n").splitlines())
    text = " ".join(" ".join(lines).split())
    return re.sub(r"\s*\bExamples?:\s*$", "", text)
