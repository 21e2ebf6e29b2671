"""YAML frontmatter parsed once per text and remembered as JSON, so that a warm run (every
pre-commit hook run after the first) never imports yaml: importing and running it costs about as
much as the rest of a review of a commit with nothing ML-related in it."""

from __future__ import annotations

import hashlib
import json
import os
import re
from pathlib import Path

MAX_ENTRIES = 256
# A persona file's frontmatter: the text between a first line `---` and the next `---` line.
BLOCK = re.compile(r"\A---[ \t]*\r?\n(.*?)\r?\n---[ \t]*(?:\r?\n|\Z)", re.S)


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
