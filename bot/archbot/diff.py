"""Unified diff text -> ChangedFile. The only module that imports unidiff."""

from __future__ import annotations

import re
from typing import Literal

from unidiff.errors import UnidiffParseError
from unidiff.patch import Hunk as UnidiffHunk
from unidiff.patch import PatchedFile, PatchSet

from archbot.errors import usage_error
from archbot.models import ChangedFile, FileStatus, Hunk, HunkLine

_LINE_KINDS: dict[str, Literal["+", "-", " "]] = {"+": "+", "-": "-", " ": " "}
_GIT_PREFIXES = ("a/", "b/", "c/", "i/", "o/", "w/", "1/", "2/")
_C_ESCAPES = {"a": 7, "b": 8, "t": 9, "n": 10, "v": 11, "f": 12, "r": 13, '"': 34, "\\": 92}
_GITLINK_INFO = re.compile(r"(new file mode|deleted file mode|index \S+) 160000")
_HEADER_START = re.compile(r"^(diff --git |--- |\+\+\+ |@@ |Binary files |GIT binary patch)", re.M)
# A file's `---`/`+++` header (at the start, or after a `diff` line or git's extended header
# lines, never inside a hunk) not followed by an `@@` hunk: git writes no such header for a file
# without content changes, so the diff was cut off there.
_HEADER_WITHOUT_HUNK = re.compile(
    r"(?:\A|^(?:diff |index |old mode |new mode |new file mode |deleted file mode |similarity index "
    r"|dissimilarity index |rename from |rename to |copy from |copy to ).*\n)"
    r"--- .*\n\+\+\+ (?P<path>[^\n]*)(?:\n(?!@@)|\Z)",
    re.M,
)


def decode(data: bytes) -> str:
    """Diffs carry bytes in any encoding; undecodable bytes become U+FFFD rather than an error."""
    return data.decode("utf-8", errors="replace")


def parse(text: str) -> list[ChangedFile]:
    """Parse a unified diff (git or plain). An empty diff is no files; garbage is a usage error."""
    text = text.replace("\r\n", "\n")
    if not text.strip():
        return []
    if "\x00" in text:
        text = _binary_sections(text)
    if not _HEADER_START.search(text):
        raise usage_error("this is not a unified diff (no 'diff --git', '---/+++' or '@@' lines)")
    cut = _HEADER_WITHOUT_HUNK.search(text)
    if cut is not None:
        path = _clean_path(cut.group("path")) or cut.group("path")
        raise usage_error(
            f"malformed diff: {path} has a ---/+++ header but no @@ hunk (the diff looks cut off)"
        )
    try:
        patch = PatchSet(text)
    except UnidiffParseError as error:
        hint = " (the diff looks cut off)" if "shorter than expected" in str(error) else ""
        raise usage_error(f"malformed diff: {error}{hint}") from None
    if not patch:
        raise usage_error("malformed diff: no file sections found")
    return [_changed_file(patched) for patched in patch if not _is_submodule(patched)]


# A git diff's file sections, each from its `diff --git` line.
_SECTION_START = re.compile(r"^diff --git ", re.M)


def _binary_sections(text: str) -> str:
    """A git diff whose file sections hold NUL bytes: git shows a file as text when its first
    8,000 bytes hold none (a PDF, a data dump), so NULs further on make it binary, which the
    section then says (`Binary files a/x and b/x differ`) in place of its hunks. NULs anywhere
    else (a binary file given as the diff) are a usage error."""
    starts = [match.start() for match in _SECTION_START.finditer(text)]
    if not starts or "\x00" in text[: starts[0]]:
        raise usage_error("the diff contains NUL bytes: this looks like a binary file, not a diff")
    sections = [text[start:end] for start, end in zip(starts, [*starts[1:], len(text)], strict=True)]
    return text[: starts[0]] + "".join(_as_binary(s) if "\x00" in s else s for s in sections)


def _as_binary(section: str) -> str:
    """A file section with its hunks replaced by git's line for a binary file."""
    header: list[str] = []
    paths = {"---": "", "+++": ""}
    for line in section.splitlines():
        if line.startswith(("--- ", "+++ ")):
            paths[line[:3]] = line[4:]
            continue
        if line.startswith("@@ ") or "\x00" in line:
            break
        header.append(line)
    if not paths["---"] or not paths["+++"]:
        raise usage_error("the diff contains NUL bytes: this looks like a binary file, not a diff")
    return "\n".join([*header, f"Binary files {paths['---']} and {paths['+++']} differ"]) + "\n"


def _is_submodule(patched: PatchedFile) -> bool:
    """A gitlink (mode 160000) records a submodule's commit: there is no file to read or review."""
    return any(_GITLINK_INFO.fullmatch(str(line).rstrip("\n")) for line in patched.patch_info or ())


def _changed_file(patched: PatchedFile) -> ChangedFile:
    info = [str(line).rstrip("\n") for line in patched.patch_info or ()]
    source = _clean_path(patched.source_file)
    target = _clean_path(patched.target_file)
    renamed_from = _info_value(info, "rename from ")
    copied_from = _info_value(info, "copy from ")
    status: FileStatus
    if patched.is_added_file and copied_from is None and renamed_from is None:
        status = "added"
    elif patched.is_removed_file:
        status = "deleted"
    elif copied_from is not None:
        status = "copied"
    elif renamed_from is not None or (source and target and source != target):
        status = "renamed"
    else:
        status = "modified"
    path = source if status == "deleted" else target
    old_path = renamed_from or copied_from or (source if status == "renamed" else None)
    old_mode, new_mode = _info_value(info, "old mode "), _info_value(info, "new mode ")
    return ChangedFile(
        path=path or source or "",
        old_path=old_path,
        status=status,
        hunks=tuple(_hunk(h) for h in patched),
        is_binary=patched.is_binary_file,
        mode_change=(old_mode, new_mode) if old_mode and new_mode else None,
    )


def _hunk(hunk: UnidiffHunk) -> Hunk:
    lines = []
    for line in hunk:
        kind = _LINE_KINDS.get(line.line_type)
        if kind is None:
            continue  # "\ No newline at end of file" belongs to the previous line
        lines.append(
            HunkLine(
                kind=kind,
                text=line.value.rstrip("\n").rstrip("\r"),
                old_line=line.source_line_no,
                new_line=line.target_line_no,
            )
        )
    return Hunk(
        old_start=hunk.source_start,
        old_length=hunk.source_length,
        new_start=hunk.target_start,
        new_length=hunk.target_length,
        section=hunk.section_header,
        lines=tuple(lines),
    )


def _info_value(info: list[str], prefix: str) -> str | None:
    for line in info:
        if line.startswith(prefix):
            return _unquote(line[len(prefix) :])
    return None


def _clean_path(raw: str | None) -> str | None:
    if raw is None:
        return None
    path = _unquote(raw.split("\t", 1)[0].strip())
    if path == "/dev/null":
        return None
    if path.startswith(_GIT_PREFIXES):
        path = path[2:]
    return path


def _unquote(text: str) -> str:
    """Undo git's C-style quoting of paths ("caf\\303\\251.py")."""
    if len(text) < 2 or not (text.startswith('"') and text.endswith('"')):
        return text
    body, out, i = text[1:-1], bytearray(), 0
    while i < len(body):
        char = body[i]
        if char != "\\" or i + 1 == len(body):
            out += char.encode()
            i += 1
        elif body[i + 1] in "01234567" and re.match(r"[0-7]{3}", body[i + 1 : i + 4]):
            out.append(int(body[i + 1 : i + 4], 8))
            i += 4
        else:
            out.append(_C_ESCAPES.get(body[i + 1], ord(body[i + 1])))
            i += 2
    return decode(bytes(out))
