"""Dockerfile instructions with the physical lines they span (continuations joined, comments
dropped, BuildKit heredoc bodies kept with the instruction that opened them)."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator, Mapping

_INSTRUCTION = re.compile(r"^\s*([A-Za-z]+)(?:\s+(.*))?$", re.S)
_VARIABLE = re.compile(r"\$(?:\{(\w+)(?::[-+]([^}]*))?\}|(\w+))")
# `<<EOF`, `<<-EOF`, `<<'EOF'`, `<<"EOF"` (BuildKit heredocs); not `<<<` (a here-string) nor `1<<2`.
_HEREDOC = re.compile(r"(?<![<\w])<<(-?)[ \t]*([\"']?)([A-Za-z_][\w.-]*)\2")
# Only these instructions take heredocs (dockerfile frontend 1.4+).
_HEREDOC_KEYWORDS = frozenset(("RUN", "COPY", "ADD"))
# The command a `RUN` heredoc is fed to when its body is a shell script: none (BuildKit runs the
# body itself) or a shell with its flags.
_SHELL_COMMAND = re.compile(r"^(?:(?:/usr)?/bin/)?(?:ba|da|z)?sh(?:\s+-\w+)*$")
_SHEBANG_SHELL = re.compile(r"^#!\s*\S*?/(?:env\s+)?(?:ba|da|z)?sh\b")


@dataclasses.dataclass(frozen=True)
class Heredoc:
    """A heredoc body: its physical lines (terminator excluded) and its text."""

    lines: tuple[int, ...]
    text: str


@dataclasses.dataclass(frozen=True)
class Instruction:
    keyword: str
    arguments: str
    lines: tuple[int, ...]
    heredocs: tuple[Heredoc, ...] = ()

    def shell_heredocs(self) -> tuple[Heredoc, ...]:
        """The heredoc bodies of a `RUN` that the build runs as shell scripts (`RUN <<EOF`,
        `RUN bash -e <<EOF`); a body fed to `python` or written to a file is not commands."""
        if self.keyword != "RUN" or not self.heredocs:
            return ()
        command = _HEREDOC.split(self.arguments, maxsplit=1)[0]
        command = re.sub(r"--\w+(?:=\S*)?\s*", "", command).strip()
        if command and not _SHELL_COMMAND.match(command):
            return ()
        first = self.heredocs[0]
        shebang = first.text.split("\n", 1)[0]
        if not command and shebang.startswith("#!") and not _SHEBANG_SHELL.match(shebang):
            return ()
        return (first,)


def instructions(lines: list[str]) -> Iterator[Instruction]:
    parts: list[str] = []
    numbers: list[int] = []
    number = 0
    while number < len(lines):
        raw = lines[number]
        number += 1
        stripped = raw.strip()
        if stripped.startswith("#") or (not stripped and not parts):
            continue
        continued = stripped.endswith("\\")
        parts.append(stripped[:-1] if continued else stripped)
        numbers.append(number)
        if continued:
            continue
        instruction = _instruction(parts, numbers)
        if instruction is not None and instruction.keyword in _HEREDOC_KEYWORDS:
            bodies: list[Heredoc] = []
            for match in _HEREDOC.finditer(instruction.arguments):
                body, number = _heredoc_body(lines, number, match.group(3), strip_tabs=bool(match.group(1)))
                bodies.append(body)
            if bodies:
                instruction = dataclasses.replace(instruction, heredocs=tuple(bodies))
        if instruction is not None:
            yield instruction
        parts, numbers = [], []
    if parts:
        instruction = _instruction(parts, numbers)
        if instruction is not None:
            yield instruction


def _instruction(parts: list[str], numbers: list[int]) -> Instruction | None:
    match = _INSTRUCTION.match(" ".join(parts))
    if match is None:
        return None
    return Instruction(match.group(1).upper(), (match.group(2) or "").strip(), tuple(numbers))


def _heredoc_body(lines: list[str], start: int, delimiter: str, *, strip_tabs: bool) -> tuple[Heredoc, int]:
    """The body opened before line `start` (0-based index of its first line) and the index after
    its terminator; an unterminated heredoc runs to the end of the file, as BuildKit reads it."""
    numbers: list[int] = []
    texts: list[str] = []
    index = start
    while index < len(lines):
        line = lines[index].rstrip("\r\n")
        index += 1
        if (line.lstrip("\t") if strip_tabs else line).strip() == delimiter:
            break
        numbers.append(index)
        texts.append(line.lstrip("\t") if strip_tabs else line)
    return Heredoc(tuple(numbers), "\n".join(texts)), index


def arg_defaults(arguments: str) -> dict[str, str | None]:
    """`ARG NAME=value OTHER` -> {NAME: value, OTHER: None}."""
    found: dict[str, str | None] = {}
    for word in arguments.split():
        name, sep, value = word.partition("=")
        found[name] = value.strip("\"'") if sep else None
    return found


def substitute(text: str, values: Mapping[str, str | None]) -> str | None:
    """`text` with `$VAR`, `${VAR}`, `${VAR:-default}` replaced; None if a variable has no value."""
    unresolved = False

    def replace(match: re.Match[str]) -> str:
        nonlocal unresolved
        name = match.group(1) or match.group(3)
        value = values.get(name)
        if value is None:
            value = match.group(2)
        if value is None:
            unresolved = True
            return ""
        return value

    result = _VARIABLE.sub(replace, text)
    return None if unresolved else result
