"""How one changed file is shown to the model: its hunks with line numbers, and context."""

from __future__ import annotations

import ast
import dataclasses

from archbot.models import ChangedFile, Hunk

# Enclosing functions or classes longer than this are not shown whole: the hunks must carry the review.
MAX_CONTEXT_LINES = 80


@dataclasses.dataclass(frozen=True)
class FileBlock:
    """One changed file as the model sees it: hunks with new-file line numbers, plus context."""

    path: str
    text: str
    # Which blocks go first when not all fit: higher first (see llm.risk).
    rank: tuple[float, ...] = ()


def file_block(changed: ChangedFile, full_text: str | None) -> FileBlock:
    lines = [f"file: {changed.path} ({changed.status})"]
    for hunk in changed.hunks:
        lines.extend(_hunk_lines(hunk))
    if full_text is not None and changed.path.endswith(".py"):
        lines.extend(_enclosing_context(changed, full_text))
    return FileBlock(changed.path, "\n".join(lines))


def _hunk_lines(hunk: Hunk) -> list[str]:
    end = hunk.new_start + max(hunk.new_length, 1) - 1
    out = [f"@@ new lines {hunk.new_start}-{end} @@ {hunk.section}".rstrip()]
    for line in hunk.lines:
        number = f"{line.new_line:>5}" if line.new_line is not None else "     "
        out.append(f"{number} {line.kind} {line.text}")
    return out


def _enclosing_context(changed: ChangedFile, full_text: str) -> list[str]:
    """The whole enclosing function or class of each hunk, when short, minus what the hunks show."""
    try:
        tree = ast.parse(full_text)
    except (SyntaxError, ValueError):
        return []
    spans = [
        (node.lineno, node.end_lineno or node.lineno, node.name)
        for node in ast.walk(tree)
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))
    ]
    visible = changed.visible_lines
    file_lines = full_text.splitlines()
    out: list[str] = []
    shown: set[int] = set()
    for line in sorted(changed.added_lines):
        around = [s for s in spans if s[0] <= line <= s[1] and s[1] - s[0] < MAX_CONTEXT_LINES]
        if not around:
            continue
        start, end, name = max(around, key=lambda s: s[0])
        missing = [n for n in range(start, end + 1) if n not in visible and n not in shown]
        if not missing:
            continue
        shown.update(range(start, end + 1))
        out.append(f"-- unchanged context: enclosing `{name}` (lines {start}-{end}) --")
        out.extend(f"{n:>5}   {file_lines[n - 1]}" for n in missing if n <= len(file_lines))
    return out
