"""YAML frontmatter parsed once per text and remembered as JSON, so that a warm run (every
pre-commit hook run after the first) never imports yaml: importing and running it costs about as
much as the rest of a review of a commit with nothing ML-related in it.

Claude Code reads agent files more leniently than YAML does: an unquoted `description:` holding
`: ` or literal `\\n` escapes, a common shape of generated agent files, is still a description
there. `parse_lenient` reads those shapes the same way and says what it had to repair."""

from __future__ import annotations

import hashlib
import json
import os
import re
from pathlib import Path

MAX_ENTRIES = 256
# A persona file's frontmatter: the text between a first line `---` and the next `---` line.
BLOCK = re.compile(r"\A---[ \t]*\r?\n(.*?)\r?\n---[ \t]*(?:\r?\n|\Z)", re.S)
# A top-level `key:` line of a lenient read. Keys start lower-case, like every Claude Code key, so
# that `Examples:` or `Context:` at the start of a description's continuation line stays text.
_TOP_KEY = re.compile(r"([a-z_][A-Za-z0-9_-]*)[ \t]*:(?=[ \t]|$)(.*)")


class FrontmatterError(ValueError):
    """The frontmatter is not valid YAML; the message is the parser's first line."""


class Cache:
    """Parsed frontmatter by the sha256 of its text, in one JSON file. Only results that JSON
    represents exactly are kept (a YAML date or an integer key is parsed again every time).
    An unreadable or corrupt file is an empty cache; a cache that cannot be written is skipped."""

    def __init__(self, path: Path) -> None:
        self._path = path
        self._changed = False
        try:
            loaded = json.loads(path.read_bytes())
        except (OSError, ValueError):
            loaded = {}
        self._entries: dict[str, object] = loaded if isinstance(loaded, dict) else {}

    def get(self, key: str) -> tuple[bool, object]:
        return (key in self._entries, self._entries.get(key))

    def put(self, key: str, value: object) -> None:
        try:
            exact = json.loads(json.dumps(value)) == value
        except (TypeError, ValueError):
            exact = False
        if exact:
            self._entries.pop(key, None)
            self._entries[key] = value
            self._changed = True

    def save(self) -> None:
        if not self._changed:
            return
        kept = dict(list(self._entries.items())[-MAX_ENTRIES:])
        temporary = self._path.with_name(f"{self._path.name}.{os.getpid()}.tmp")
        try:
            self._path.parent.mkdir(parents=True, exist_ok=True)
            temporary.write_text(json.dumps(kept), encoding="utf-8")
            os.replace(temporary, self._path)
        except OSError:
            temporary.unlink(missing_ok=True)
            return
        self._changed = False


def parse(text: str, cache: Cache | None = None) -> object:
    """yaml.safe_load(text), from the cache when this exact text was parsed before."""
    key = hashlib.sha256(text.encode()).hexdigest()
    if cache is not None:
        found, value = cache.get(key)
        if found:
            return value
    import yaml  # only on a cache miss

    try:
        value = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.YAMLError as error:
        raise FrontmatterError(str(error).splitlines()[0]) from None
    if cache is not None:
        cache.put(key, value)
    return value


def parse_lenient(text: str, cache: Cache | None = None) -> tuple[dict[str, object], tuple[str, ...]]:
    """The frontmatter as Claude Code reads it: strict YAML when it parses; otherwise each top-level
    `key:` on its own, and a value YAML rejects (an unquoted description holding `: `) as the plain
    text it spans. Returns the mapping and one note per repair; FrontmatterError when there is no
    `key: value` line to read, or the strict parse is not a mapping."""
    try:
        value = parse(text, cache)
    except FrontmatterError as error:
        strict_error = str(error)
    else:
        if not isinstance(value, dict):
            raise FrontmatterError(f"expected `key: value` lines, found {type(value).__name__}")
        return {str(k): v for k, v in value.items()}, ()
    chunks = _top_level_chunks(text)
    if chunks is None:
        raise FrontmatterError(strict_error)
    meta: dict[str, object] = {}
    notes: list[str] = []
    for key, lines in chunks:
        try:
            parsed = parse("\n".join(lines), cache)
        except FrontmatterError as error:
            meta[key] = _plain_value(lines)
            notes.append(f"'{key}' is not valid YAML ({error}): read as plain text; quote the value")
            continue
        meta[key] = parsed.get(key) if isinstance(parsed, dict) else None
    return meta, tuple(notes)


def _top_level_chunks(text: str) -> list[tuple[str, list[str]]] | None:
    """The lines of each top-level key (its own line and the continuation lines under it)."""
    chunks: list[tuple[str, list[str]]] = []
    for line in text.splitlines():
        match = _TOP_KEY.fullmatch(line)
        if match is not None:
            chunks.append((match.group(1), [line]))
        elif chunks:
            chunks[-1][1].append(line)
        elif line.strip() and not line.lstrip().startswith("#"):
            return None
    return chunks or None


def _plain_value(lines: list[str]) -> str:
    """A value read as a YAML plain scalar reads, minus the YAML: lines folded with spaces and
    blank lines kept as line breaks."""
    first = _TOP_KEY.fullmatch(lines[0])
    assert first is not None
    pieces = [first.group(2).strip(), *(line.strip() for line in lines[1:])]
    paragraphs: list[list[str]] = [[]]
    for piece in pieces:
        if piece:
            paragraphs[-1].append(piece)
        elif paragraphs[-1]:
            paragraphs.append([])
    return "\n".join(" ".join(p) for p in paragraphs if p)
