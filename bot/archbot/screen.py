"""Is the staged change surely free of ML/LLM-related files and of findings? A cheap, sound
answer for the hook.

Routing (routing.route_file) sends a file to a persona only when its anchor signals reach the
threshold, and every anchor signal needs one of: a persona path glob matching the path; a persona
import or keyword occurring in the file's code, which makes it a substring of the file (up to ASCII
case and '-'/'_' in requirement names, with whitespace allowed around the dots of a dotted name);
a provider key; a model URL (endpoints.MODEL_CLIENT_URL); or the config assigning the file. The
rules read every file, but a rule of scope `ml` (policy.py) speaks only in a file with such a code
signal, and a rule of scope `any` only in a file holding one of the words it `needs`. This module
checks those necessary conditions on the staged files without importing the review pipeline (click,
unidiff, dataclasses: most of the hook's time). "Surely free" is final: the full review would print
the same line. Otherwise the full review decides, so a false alarm costs time, never a finding.
What it cannot judge cheaply (a config file, repository personas, a notebook, anything git does not
hand over as a plain blob) is left to the full review.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator, Mapping, Sequence

from archbot import frontmatter, policy
from archbot.cachedir import cache_dir
from archbot.repo import catalog, endpoints

NO_ML_CHANGES = "archbot: no ML/LLM-related changes"
# secrets.SHAPES detected anywhere: every such key starts with one of these (policy.KEY_START).
PROVIDER_KEY_START = re.compile(policy.KEY_START.encode())
# A model URL routes the file that names it (routing.MODEL_URL_PERSONA).
MODEL_CLIENT_URL = re.compile(endpoints.MODEL_CLIENT_URL.pattern.encode())
# review.route: a NUL byte in the first 8 KiB makes a file binary, and it is never routed.
BINARY_PROBE = 8192
_CONFIG_FILES = (".archbot.yml", ".archbot.yaml")
_REPO_PERSONAS = os.path.join(".archbot", "personas")
_PERSONA_FILES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "persona_files")


class Triggers:
    """The built-in personas' anchor triggers and the package catalog, reduced to what the screen
    tests.

    `globs`: per path glob, the literal pieces a matching path must contain (no pieces: anything
    may match). `words`: per import or keyword, the folded pieces its text must contain.
    `sources`: more such words, only for the files of one ecosystem (`_ecosystem`): a JavaScript
    package `ai` is a quoted `"ai`, a Rust crate `ort` follows `use`. `packages`: the folded pieces
    of catalog module names a Python file's own path must hold to be that package's code.
    """

    def __init__(
        self,
        globs: Sequence[tuple[str, ...]],
        words: Sequence[tuple[bytes, ...]],
        sources: Mapping[str, Sequence[tuple[bytes, ...]]] | None = None,
        packages: Sequence[tuple[str, ...]] = (),
    ) -> None:
        self.globs = tuple(globs)
        self.words = tuple(words)
        self.sources = {name: tuple(found) for name, found in (sources or {}).items()}
        self.packages = tuple(packages)


def catalog_triggers() -> tuple[
    list[tuple[bytes, ...]], dict[str, list[tuple[bytes, ...]]], list[tuple[str, ...]]
]:
    """What routing's catalog signals need (routing.catalog_matches, ProjectModules.package): any
    file may name a Python package (an import, a requirement, an image build's words) by module or
    distribution; a JavaScript, Go or Rust source or manifest names its own ecosystem's."""
    words: list[tuple[bytes, ...]] = []
    sources: dict[str, list[tuple[bytes, ...]]] = {"js": [], "go": [], "rust": [], "cargo": []}
    packages: list[tuple[str, ...]] = []
    for package in catalog.PACKAGES:
        name = package.name.rstrip("*")
        if package.ecosystem == "python":
            words += [word_pieces(name), *((fold(d.encode()),) for d in package.distributions)]
            packages.append(tuple(part for part in name.split(".") if part))
        elif package.ecosystem == "js":
            sources["js"] += [(fold(f'"{name}'.encode()),), (fold(f"'{name}".encode()),)]
        elif package.ecosystem == "go":
            sources["go"].append((fold(name.encode()),))
        else:
            sources["rust"] += [(b"use", fold(name.encode())), (b"crate", fold(name.encode()))]
            sources["cargo"] += [(fold(n.encode()),) for n in (name, *package.distributions)]
    return words, sources, packages


def fold(data: bytes) -> bytes:
    """ASCII lower case, '-' as '_': requirement names are compared like this by classify."""
    return data.lower().replace(b"-", b"_")


def glob_pieces(pattern: str) -> tuple[str, ...]:
    """What a path must contain to match `pattern` as personas' globs match (`**/` may match nothing)."""
    if "?" in pattern or "[" in pattern:
        return ()
    return tuple(piece for piece in pattern.removeprefix("**/").split("*") if piece)


def word_pieces(trigger: str) -> tuple[bytes, ...]:
    """What a file must contain (folded) for `trigger` (an import pattern or a keyword) to occur."""
    return tuple(fold(part.encode()) for part in trigger.strip("*").split(".") if part)


def persona_triggers(texts: Iterator[str], cache: frontmatter.Cache) -> Triggers | None:
    """The anchor triggers of persona `texts`; None when a persona is not plain enough to screen."""
    globs: list[tuple[str, ...]] = []
    words: list[tuple[bytes, ...]] = []
    for text in texts:
        block = frontmatter.BLOCK.match(text)
        if block is None:
            return None
        meta = frontmatter.parse(block.group(1), cache)
        anchors = meta.get("archbot") if isinstance(meta, dict) else None
        if not isinstance(anchors, dict):
            return None  # routed by words of its description: leave it to the full review
        for key in ("paths", "imports", "keywords"):
            values = anchors.get(key) or []
            if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
                return None
            if key == "paths":
                globs += [glob_pieces(v) for v in values]
            else:
                words += [word_pieces(v) for v in values]
    known, sources, packages = catalog_triggers()
    return Triggers(globs, words + known, sources, packages)


def path_may_be_routed(path: str, triggers: Triggers) -> bool:
    """True when a persona path glob may match `path`, or the file is a notebook (its code cells
    are JSON strings: escapes could hide a name from a byte search)."""
    if path.lower().endswith(".ipynb"):
        return True
    if path.endswith(".py") and any(all(p in path for p in pieces) for pieces in triggers.packages):
        return True
    return any(all(piece in path for piece in pieces) for pieces in triggers.globs)


_SOURCE_ECOSYSTEMS = {".js": "js", ".jsx": "js", ".mjs": "js", ".cjs": "js", ".ts": "js", ".tsx": "js"}
_SOURCE_ECOSYSTEMS |= {".mts": "js", ".cts": "js", ".go": "go", ".rs": "rust"}
_MANIFEST_ECOSYSTEMS = {"package.json": "js", "go.mod": "go", "Cargo.toml": "cargo"}


def _ecosystem(path: str) -> str | None:
    """Which of `Triggers.sources` applies to `path` (classify.ecosystem, by name alone)."""
    name = path.rsplit("/", 1)[-1]
    if name in _MANIFEST_ECOSYSTEMS:
        return _MANIFEST_ECOSYSTEMS[name]
    return _SOURCE_ECOSYSTEMS.get(os.path.splitext(name)[1].lower())


def may_be_routed(path: str, data: bytes, triggers: Triggers) -> bool:
    """False only when no persona trigger and no provider key can fire on this staged file."""
    if b"\0" in data:
        # A NUL early on: a binary file, skipped. Later on: the full review decides what it is.
        return b"\0" not in data[:BINARY_PROBE]
    if path_may_be_routed(path, triggers):
        return True
    if PROVIDER_KEY_START.search(data) or MODEL_CLIENT_URL.search(data):
        return True
    folded = fold(data)
    words = (*triggers.words, *triggers.sources.get(_ecosystem(path) or "", ()))
    return any(all(piece in folded for piece in pieces) for pieces in words)


def rule_words() -> tuple[bytes, ...]:
    """What a file must contain (folded) for a rule of scope `any` to report on it."""
    return tuple(sorted(fold(word.encode()) for word in policy.any_scope_words()))


def needs_review(path: str, data: bytes, triggers: Triggers) -> bool:
    """False only when the full review surely routes this staged file nowhere and no rule can
    report on it."""
    if may_be_routed(path, data, triggers):
        return True
    folded = fold(data)
    return any(word in folded for word in rule_words())


def staged_is_plain(environ: Mapping[str, str]) -> bool:
    """True when the staged change surely has no ML/LLM-related file and no config changes that.
    Any doubt, and any failure (git missing, not a repository), is False: the full review reports."""
    try:
        return _staged_is_plain(environ)
    except (OSError, ValueError, RuntimeError):
        return False


def _staged_is_plain(environ: Mapping[str, str]) -> bool:
    # Cheapest first: on an ML commit a path usually settles it after one git call.
    listed = _git(["diff", "--cached", "--name-only", "-z", "--diff-filter=d"], None)
    if listed is None:
        return False
    paths = [p for p in listed.decode("utf-8", errors="surrogateescape").split("\0") if p]
    if any("\n" in p for p in paths):
        return False
    cache = frontmatter.Cache(cache_dir(environ) / "frontmatter-v1.json")
    triggers = persona_triggers(_builtin_texts(), cache)
    cache.save()
    if triggers is None or any(path_may_be_routed(path, triggers) for path in paths):
        return False
    top = _git(["rev-parse", "--show-toplevel"], None)
    if top is None:
        return False
    root = os.fsdecode(top.rstrip(b"\n"))
    if not _default_setup(root):
        return False
    if not paths:
        return True
    blobs = _read_blobs(root, paths)
    if blobs is None:
        return False
    return not any(needs_review(path, data, triggers) for path, data in zip(paths, blobs, strict=True))


def _default_setup(root: str) -> bool:
    """No config and no repository personas: the built-in personas and default settings apply."""
    if any(os.path.lexists(os.path.join(root, name)) for name in (*_CONFIG_FILES, _REPO_PERSONAS)):
        return False
    pyproject = os.path.join(root, "pyproject.toml")
    if not os.path.isfile(pyproject):
        return True
    with open(pyproject, "rb") as handle:
        data = handle.read()
    if b"archbot" not in data:
        return True  # as config.holds_archbot_settings: another tool's file, whatever its syntax
    # Parsed as config.discover parses it: invalid TOML fails the full review, and only a
    # [tool.archbot] table (not, say, archbot among the dev dependencies) is a config.
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover
        import tomli as tomllib  # type: ignore[import-not-found, unused-ignore]

    try:
        table = tomllib.loads(data.decode("utf-8").replace("\r\n", "\n"))
    except tomllib.TOMLDecodeError:
        return False
    tool = table.get("tool", {})
    return isinstance(tool, dict) and "archbot" not in tool


def _builtin_texts() -> Iterator[str]:
    for name in sorted(os.listdir(_PERSONA_FILES)):
        if name.endswith(".md"):
            with open(os.path.join(_PERSONA_FILES, name), encoding="utf-8") as handle:
                yield handle.read()


def _read_blobs(root: str, paths: Sequence[str]) -> list[bytes] | None:
    """The staged (index) contents of `paths`; None when any is not a plain blob."""
    request = "".join(f":{p}\n" for p in paths).encode("utf-8", errors="surrogateescape")
    out = _git(["cat-file", "--batch"], root, stdin=request)
    if out is None:
        return None
    blobs: list[bytes] = []
    offset = 0
    for _ in paths:
        end = out.find(b"\n", offset)
        header = out[offset:end].split()
        if end < 0 or len(header) != 3 or header[1] != b"blob":
            return None
        size = int(header[2])
        blobs.append(out[end + 1 : end + 1 + size])
        offset = end + 1 + size + 1
    return blobs


def _git(args: list[str], cwd: str | None, stdin: bytes | None = None) -> bytes | None:
    result = subprocess.run(["git", *args], cwd=cwd, input=stdin, capture_output=True, check=False)
    return result.stdout if result.returncode == 0 else None
