"""What a repository's `.gitattributes` says of its files for GitHub Linguist: which are vendored
(`linguist-vendored`) and which generated (`linguist-generated`). GitHub collapses such files in
a pull request's diff and leaves them out of its language statistics; a reviewer of the change
reads them the same way.

Git's own semantics: a pattern without a slash matches a file's name at any depth, one with a slash
matches the path from the directory that holds the `.gitattributes` file (`**` spans directories);
a later line overrides an earlier one for the attributes it names, and `-attr` or `attr=false`
unsets one.
"""

from __future__ import annotations

import dataclasses
import fnmatch
import re
from collections.abc import Collection, Iterable

# The attributes read, each with the role it gives a file.
LINGUIST_ROLES = {"linguist-vendored": "vendored", "linguist-generated": "generated"}


@dataclasses.dataclass(frozen=True)
class Line:
    """One line of a `.gitattributes` file that sets or unsets a Linguist attribute."""

    directory: str  # where the file sits ('' for the repository root)
    pattern: str
    attribute: str
    value: bool
    text: str  # the line, for the signal that names it


def parse(directory: str, text: str, skipped: Collection[int] = ()) -> list[Line]:
    """The Linguist lines of one file; `skipped`: line numbers (1-based) not to read."""
    lines: list[Line] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        stripped = raw.strip()
        if number in skipped:
            continue
        if not stripped or stripped.startswith("#"):
            continue
        pattern, *attributes = stripped.split()
        for attribute in attributes:
            unset = attribute.startswith(("-", "!"))
            name, _, value = attribute.lstrip("-!").partition("=")
            if name in LINGUIST_ROLES:
                on = not unset and value.lower() not in ("false", "0")
                lines.append(Line(directory, pattern, name, on, stripped))
    return lines


def attribute_of(lines: Iterable[Line], path: str, attribute: str) -> Line | None:
    """The last line that sets `attribute` for `path`, when it sets it on (None otherwise)."""
    found: Line | None = None
    for line in lines:
        if line.attribute == attribute and matches(line, path):
            found = line
    return found if found is not None and found.value else None


def matches(line: Line, path: str) -> bool:
    prefix = f"{line.directory}/" if line.directory else ""
    if not path.startswith(prefix):
        return False
    relative = path[len(prefix) :]
    pattern = line.pattern.removeprefix("/")
    if "/" not in line.pattern.rstrip("/"):
        return fnmatch.fnmatchcase(relative.rsplit("/", 1)[-1], pattern)
    return _regex(pattern).fullmatch(relative) is not None


def _regex(pattern: str) -> re.Pattern[str]:
    """A slash pattern as a regular expression over the path: `**/` any directories, a trailing
    `/**` everything inside, `*` and `?` within one path segment."""
    out: list[str] = []
    index = 0
    while index < len(pattern):
        if pattern.startswith("**/", index):
            out.append("(?:.*/)?")
            index += 3
        elif pattern.startswith("/**", index) and index + 3 == len(pattern):
            out.append("/.*")
            index += 3
        elif pattern.startswith("**", index):
            out.append(".*")
            index += 2
        elif pattern[index] == "*":
            out.append("[^/]*")
            index += 1
        elif pattern[index] == "?":
            out.append("[^/]")
            index += 1
        else:
            out.append(re.escape(pattern[index]))
            index += 1
    return re.compile("".join(out))
