"""Dockerfile instructions with the physical lines they span (continuations joined, comments dropped)."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator, Mapping

_INSTRUCTION = re.compile(r"^\s*([A-Za-z]+)(?:\s+(.*))?$", re.S)
_VARIABLE = re.compile(r"\$(?:\{(\w+)(?::[-+]([^}]*))?\}|(\w+))")


@dataclasses.dataclass(frozen=True)
class Instruction:
    keyword: str
    arguments: str
    lines: tuple[int, ...]


def instructions(lines: list[str]) -> Iterator[Instruction]:
    parts: list[str] = []
    numbers: list[int] = []
    for number, raw in enumerate(lines, start=1):
        stripped = raw.strip()
        if stripped.startswith("#") or (not stripped and not parts):
            continue
        continued = stripped.endswith("\\")
        parts.append(stripped[:-1] if continued else stripped)
        numbers.append(number)
        if continued:
            continue
        match = _INSTRUCTION.match(" ".join(parts))
        if match:
            yield Instruction(match.group(1).upper(), (match.group(2) or "").strip(), tuple(numbers))
        parts, numbers = [], []
    if parts:
        match = _INSTRUCTION.match(" ".join(parts))
        if match:
            yield Instruction(match.group(1).upper(), (match.group(2) or "").strip(), tuple(numbers))


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
