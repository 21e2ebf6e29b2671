"""YAML written as a template (Helm charts, Go templates in operator configs, Jinja): read as YAML
without rendering it.

Lines that hold only template directives are blanked; an expression inside a line becomes the
placeholder `TEMPLATED`, a value known to exist but not known. Where a directive-only line writes
YAML (`{{ include ... | nindent 8 }}`, `{{ toYaml .Values.resources }}`) its line and the column
its output lands on are kept, so rules can tell "written by the template" from "missing".
Named templates (`{{ define }}` ... `{{ end }}`) are blanked whole: they are not manifests.
"""

from __future__ import annotations

import bisect
import dataclasses
import re

TEMPLATED = "__templated__"
# `{{` of Go templates and Jinja, `{%` of Jinja; `${{ }}` is a GitHub Actions expression, not a template.
TEMPLATE_MARK = re.compile(r"(?<!\$)\{\{|\{%")
_SPAN = re.compile(r"(?<!\$)\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.S)
_OPENERS = frozenset(["if", "range", "with", "define", "block", "for", "macro", "call", "filter", "set"])
_CLOSERS = frozenset(["end", "endif", "endfor", "endmacro", "endcall", "endfilter", "endset"])
_CONTINUERS = frozenset(["else", "elif", "break", "continue"])
_WORD = re.compile(r"[-\s]*(/\*|[A-Za-z_]\w*|\$\w*)")
_ASSIGNMENT = re.compile(r"^\$\w*\s*:?=")
_INDENT = re.compile(r"\bn?indent\s+(\d+)")


@dataclasses.dataclass(frozen=True)
class Detemplated:
    """The YAML the parser reads, and (line, column) of each directive-only line that writes YAML
    (0-based lines, like yaml marks)."""

    text: str
    outputs: tuple[tuple[int, int], ...]


def detemplate(text: str) -> Detemplated:
    spans = list(_SPAN.finditer(text))
    if not spans:
        return Detemplated(text, ())
    starts = _line_starts(text)
    directive_only = _directive_only_lines(text, spans, starts)
    pieces: list[str] = []
    outputs: list[tuple[int, int]] = []
    cursor = 0
    depth = 0  # inside `define`/`block` ... `end`
    stack: list[str] = []
    for span in spans:
        body = span.group(0)
        word = _first_word(body)
        first = _line_of(starts, span.start())
        last = _line_of(starts, span.end() - 1)
        alone = all(line in directive_only for line in range(first, last + 1))
        gap = text[cursor : span.start()]
        pieces.append(_blank(gap) if depth else gap)
        cursor = span.end()
        if word in _OPENERS and not (word == "set" and "=" in body):
            stack.append(word)
            depth += word in ("define", "block", "macro")
        elif word in _CLOSERS and stack:
            depth -= stack.pop() in ("define", "block", "macro")
        if alone or depth:
            pieces.append(_blank(body))
            if alone and not depth and _writes(body, word):
                indent = _INDENT.search(body)
                column = int(indent.group(1)) if indent else span.start() - starts[first]
                outputs.append((first, column))
        else:
            pieces.append(TEMPLATED + "\n" * body.count("\n"))
    tail = text[cursor:]
    pieces.append(_blank(tail) if depth else tail)
    lines = "".join(pieces).split("\n")
    for line in directive_only:
        lines[line] = ""
    return Detemplated("\n".join(lines), tuple(outputs))


def _line_starts(text: str) -> list[int]:
    return [0] + [m.end() for m in re.finditer("\n", text)]


def _line_of(starts: list[int], offset: int) -> int:
    return bisect.bisect_right(starts, offset) - 1


def _directive_only_lines(text: str, spans: list[re.Match[str]], starts: list[int]) -> set[int]:
    """Lines whose every non-blank character belongs to a template span."""

    def line_end(line: int) -> int:
        return starts[line + 1] - 1 if line + 1 < len(starts) else len(text)

    covered: dict[int, list[tuple[int, int]]] = {}
    for span in spans:
        for line in range(_line_of(starts, span.start()), _line_of(starts, span.end() - 1) + 1):
            part = (max(span.start(), starts[line]), min(span.end(), line_end(line)))
            covered.setdefault(line, []).append(part)
    found: set[int] = set()
    for line, parts in covered.items():
        position = starts[line]
        bare = False
        for start, end in sorted(parts):
            if text[position:start].strip():
                bare = True
                break
            position = max(position, end)
        if not bare and not text[position : line_end(line)].strip():
            found.add(line)
    return found


def _first_word(body: str) -> str:
    inner = body[2:-2]
    match = _WORD.match(inner)
    if body.startswith("{#"):
        return "#"
    return match.group(1) if match else ""


def _writes(body: str, word: str) -> bool:
    """Does the directive put text into the document (an expression, `include`, `toYaml`) rather
    than steer it (`if`, `range`, `end`, an assignment, a comment)?"""
    if body.startswith(("{%", "{#")) or word in ("/*", "#"):
        return False
    if word in _OPENERS or word in _CLOSERS or word in _CONTINUERS:
        return False
    return not _ASSIGNMENT.match(body[2:-2].strip(" -\t\n"))


def _blank(text: str) -> str:
    return "\n" * text.count("\n")
