"""Where a diff comes from (staged, ref range, diff file or stdin) and the post-change files behind it."""

from __future__ import annotations

import dataclasses
import os
import re
import subprocess
import sys
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Protocol

from archbot import diff
from archbot.errors import ArchbotError, usage_error
from archbot.models import ChangedFile, DiffSource

_DIFF_FLAGS = (
    "-c",
    "core.quotepath=off",
    "diff",
    "--no-color",
    "--no-ext-diff",
    "--no-textconv",
    "--find-renames",
    "--src-prefix=a/",
    "--dst-prefix=b/",
    "--unified=3",
)
_MAX_DIFF_BYTES = 200 * 1024 * 1024
# `git diff --cached` names each conflicted path on such a line instead of diffing it.
_UNMERGED = "* Unmerged path "


class PostChangeFiles(Protocol):
    """Whole files as they are after the change."""

    def prefetch(self, paths: Iterable[str]) -> None: ...

    def read(self, path: str) -> bytes | None: ...


# The repository files holding one of some literal words, or None when the search failed.
Search = Callable[[Sequence[str]], frozenset[str] | None]
# Of some files the change adds, those whose content the base revision already holds at another
# path (an exact copy, as git's copy detection finds it), each with that path.
Copies = Callable[[Sequence[str]], Mapping[str, str]]
# The blob of an empty file: every repository holds one, it says nothing about where code came from.
_EMPTY_BLOB = "e69de29bb2d1d6434b8b29ae775ad8c2e48c5391"


@dataclasses.dataclass(frozen=True)
class Change:
    """A parsed diff, with a way to read whole post-change files and list the repository, and
    (for the index and commits) to search the repository's files for words without reading them."""

    source: DiffSource
    files: tuple[ChangedFile, ...]
    post: PostChangeFiles
    list_repo: Callable[[], tuple[str, ...]]
    root: Path | None
    search: Search | None = None
    copies: Copies | None = None


def git(
    args: Sequence[str],
    cwd: Path | None = None,
    *,
    stdin: bytes | None = None,
    env: Mapping[str, str] | None = None,
) -> bytes:
    """`env`: extra variables for this call only (credentials for a fetch)."""
    full_env = {**os.environ, **env} if env else None
    try:
        result = subprocess.run(
            ["git", *args], cwd=cwd, input=stdin, capture_output=True, check=False, env=full_env
        )
    except FileNotFoundError:
        raise ArchbotError("git is not installed or not on PATH") from None
    if result.returncode != 0:
        message = diff.decode(result.stderr).strip().splitlines()
        raise ArchbotError(
            f"git {args[0] if args[0] != '-c' else args[2]} failed: "
            f"{message[-1] if message else 'exit ' + str(result.returncode)}"
        )
    return result.stdout


def repo_root(cwd: Path | None = None) -> Path:
    try:
        out = git(["rev-parse", "--show-toplevel"], cwd)
    except ArchbotError:
        raise usage_error(
            "not inside a git repository: run archbot in a repository, or review a file with --diff"
        ) from None
    return Path(diff.decode(out).strip())


def staged(paths: Sequence[str] = (), cwd: Path | None = None) -> Change:
    root = repo_root(cwd)
    text = diff.decode(git([*_DIFF_FLAGS, "--cached", "--", *_pathspecs(paths, root, cwd)], root))
    unmerged = [line.removeprefix(_UNMERGED) for line in text.splitlines() if line.startswith(_UNMERGED)]
    if unmerged:
        raise usage_error(
            f"the index has unmerged paths: {', '.join(unmerged)}; "
            "resolve the conflicts and `git add` them, then review"
        )
    return Change(
        source=DiffSource("staged"),
        files=tuple(diff.parse(text)),
        post=_BlobReader(root, ""),
        list_repo=lambda: _ls_files(root, ["ls-files", "-z", "--cached"]),
        root=root,
        search=_Grep(root, None),
        copies=_Copies(root, "HEAD", None),
    )


def ref_range(
    base: str,
    head: str | None,
    paths: Sequence[str] = (),
    cwd: Path | None = None,
    *,
    base_is_merge_base: bool = False,
) -> Change:
    """`base...head`, like a pull request. `base_is_merge_base`: `base` is already the merge base
    (found elsewhere, e.g. for a shallow fetch whose history git cannot walk): diff the two trees."""
    root = repo_root(cwd)
    head_ref = head or "HEAD"
    base_sha, head_sha = _resolve(root, base, "base"), _resolve(root, head_ref, "head")
    diff_base = base_sha
    if not base_is_merge_base:
        try:
            diff_base = diff.decode(git(["merge-base", base_sha, head_sha], root)).strip()
        except ArchbotError:
            raise ArchbotError(_no_merge_base_message(root, base, head_ref)) from None
    spec = f"{base_sha}{'..' if base_is_merge_base else '...'}{head_sha}"
    text = diff.decode(git([*_DIFF_FLAGS, spec, "--", *_pathspecs(paths, root, cwd)], root))
    return Change(
        source=DiffSource("range", base=base, head=head_ref),
        files=tuple(diff.parse(text)),
        post=_BlobReader(root, head_sha),
        list_repo=lambda: _ls_files(root, ["ls-tree", "-r", "-z", "--name-only", head_sha]),
        root=root,
        search=_Grep(root, head_sha),
        copies=_Copies(root, diff_base, head_sha),
    )


def diff_file(name: str, paths: Sequence[str] = (), cwd: Path | None = None) -> Change:
    """A diff from a file or '-' (stdin). Post-change files come from the working tree when they match."""
    if name == "-":
        data = sys.stdin.buffer.read(_MAX_DIFF_BYTES + 1)
    else:
        try:
            with open(name, "rb") as handle:
                data = handle.read(_MAX_DIFF_BYTES + 1)
        except OSError as error:
            raise usage_error(f"cannot read diff {name}: {error.strerror}") from None
    if len(data) > _MAX_DIFF_BYTES:
        raise usage_error(f"diff {name} is larger than {_MAX_DIFF_BYTES // 2**20} MiB")
    files = [f for f in diff.parse(diff.decode(data)) if _selected(f.path, paths)]
    base = Path(cwd or Path.cwd())
    return Change(
        source=DiffSource("diff"),
        files=tuple(files),
        post=_WorkTreeReader(base, {f.path: f for f in files}),
        list_repo=lambda: tuple(f.path for f in files),
        root=None,
    )


def from_text(text: str, source: DiffSource, post: PostChangeFiles, root: Path | None) -> Change:
    """A change from diff text obtained elsewhere (the GitHub API)."""
    files = tuple(diff.parse(text))
    return Change(source, files, post, lambda: tuple(f.path for f in files), root)


def _resolve(root: Path, ref: str, role: str) -> str:
    if ref.startswith("-"):
        raise usage_error(f"{role} ref {ref!r} is not a ref")
    try:
        return diff.decode(git(["rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}"], root)).strip()
    except ArchbotError:
        raise usage_error(f"{role} ref {ref!r} {_missing_ref_advice(root, ref, role)}") from None


def _missing_ref_advice(root: Path, ref: str, role: str) -> str:
    """Why a ref does not resolve here, and the command or the ref that works."""
    if not _resolves(root, "HEAD"):
        return "not found: this repository has no commits yet; review staged changes with `archbot review`"
    name = re.split(r"[~^@]", ref, maxsplit=1)[0] or "HEAD"
    remotes = diff.decode(git(["remote"], root)).split()
    remote, _, branch = name.partition("/")
    if not branch or remote not in remotes:
        # A fresh clone has `origin/main`, not `main`: fetching would not create the local branch.
        tracking = next((r for r in remotes if _resolves(root, f"refs/remotes/{r}/{name}")), None)
        if tracking is not None:
            return (
                f"is not a local branch; use the remote branch: "
                f"archbot review --{role} {tracking}/{name}{ref[len(name) :]}"
            )
        remote, branch = "origin", name
    is_commit_id = re.fullmatch(r"[0-9a-f]{7,40}", name) is not None
    if _is_shallow(root):
        wanted = "" if name != ref or is_commit_id or name == "HEAD" else f" {branch}"
        return (
            f"not found in this shallow clone; fetch the history: git fetch --unshallow {remote}{wanted} "
            "(in GitHub Actions: actions/checkout with fetch-depth: 0)"
        )
    if name != ref and _resolves(root, name):
        return f"not found: the history of {name} does not go back that far"
    return f"not found in this repository; fetch it: git fetch {remote} {branch}"


def _resolves(root: Path, ref: str) -> bool:
    try:
        git(["rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}"], root)
    except ArchbotError:
        return False
    return True


def _is_shallow(root: Path) -> bool:
    try:
        return diff.decode(git(["rev-parse", "--is-shallow-repository"], root)).strip() == "true"
    except ArchbotError:
        return False


def _no_merge_base_message(root: Path, base: str, head: str) -> str:
    if _is_shallow(root):
        return (
            f"no merge base between {base} and {head}: this is a shallow clone; "
            "run git fetch --unshallow (or use fetch-depth: 0 in CI)"
        )
    return f"no merge base between {base} and {head}: the histories are unrelated"


def _pathspecs(paths: Sequence[str], root: Path, cwd: Path | None) -> list[str]:
    here = Path(cwd or Path.cwd()).resolve()
    specs = []
    for path in paths:
        absolute = (here / path).resolve()
        try:
            specs.append(str(absolute.relative_to(root.resolve())) or ".")
        except ValueError:
            raise usage_error(f"path {path} is outside the repository {root}") from None
    return specs


def _selected(path: str, paths: Sequence[str]) -> bool:
    if not paths:
        return True
    return any(path == p.rstrip("/") or path.startswith(p.rstrip("/") + "/") for p in paths)


def _ls_files(root: Path, args: list[str]) -> tuple[str, ...]:
    return tuple(p for p in diff.decode(git(args, root)).split("\0") if p)


class _Copies:
    """Exact copies among added files: their blobs (in the index, or in the head commit) looked up
    among the base commit's blobs. Two listings, made only when asked; none before the first
    commit (no HEAD to copy from)."""

    def __init__(self, root: Path, base: str, head: str | None) -> None:
        self._root = root
        self._base = base
        self._head = head

    def __call__(self, added: Sequence[str]) -> Mapping[str, str]:
        if not added:
            return {}
        # The whole listing, filtered here: a change adding thousands of files would not fit
        # their paths on a command line.
        listing = ["ls-files", "-s", "-z"] if self._head is None else ["ls-tree", "-r", "-z", self._head]
        wanted = set(added)
        blobs = [(blob, path) for blob, path in _blobs(self._root, listing) if path in wanted]
        try:
            base = _blobs(self._root, ["ls-tree", "-r", "-z", self._base])
        except ArchbotError:
            return {}  # staged before the first commit: nothing to copy from
        sources: dict[str, str] = {}
        for blob, path in base:
            sources.setdefault(blob, path)
        return {
            path: sources[blob]
            for blob, path in blobs
            if blob != _EMPTY_BLOB and blob in sources and sources[blob] != path
        }


def _blobs(root: Path, args: list[str]) -> list[tuple[str, str]]:
    """(blob, path) of each entry `git ls-tree` or `git ls-files -s` lists: `<mode> <type> <blob>\t
    <path>` or `<mode> <blob> <stage>\t<path>`; the blob is the one field of 40 hex digits (64 in a
    SHA-256 repository)."""
    found = []
    for entry in diff.decode(git(args, root)).split("\0"):
        meta, tab, path = entry.partition("\t")
        blob = next((field for field in meta.split() if len(field) in (40, 64)), None)
        if tab and blob is not None:
            found.append((blob, path))
    return found


class _Grep:
    """`git grep` over the index (`rev` None) or a commit: the files holding one of some literal
    words, found by git without handing every file to Python."""

    def __init__(self, root: Path, rev: str | None) -> None:
        self._root = root
        self._rev = rev

    def __call__(self, words: Sequence[str]) -> frozenset[str] | None:
        args = ["git", "grep", "-l", "-z", "-F", "--no-color", "--no-recurse-submodules"]
        args += [arg for word in words for arg in ("-e", word)]
        args += ["--cached"] if self._rev is None else [self._rev]
        try:
            result = subprocess.run(args, cwd=self._root, capture_output=True, check=False)
        except FileNotFoundError:
            return None
        if result.returncode == 1 and not result.stderr:  # git grep's "nothing matched"
            return frozenset()
        if result.returncode != 0:
            return None
        prefix = f"{self._rev}:" if self._rev else ""
        paths = diff.decode(result.stdout).split("\0")
        return frozenset(p.removeprefix(prefix) for p in paths if p)


class _BlobReader:
    """Reads post-change files with one `git cat-file --batch` per call batch (index or a commit)."""

    def __init__(self, root: Path, rev: str) -> None:
        self._root = root
        self._rev = rev
        self._cache: dict[str, bytes | None] = {}

    def prefetch(self, paths: Iterable[str]) -> None:
        wanted = [p for p in paths if p not in self._cache and "\n" not in p]
        if not wanted:
            return
        request = "".join(f"{self._rev}:{p}\n" for p in wanted).encode()
        out = git(["cat-file", "--batch"], self._root, stdin=request)
        offset = 0
        for path in wanted:
            end = out.index(b"\n", offset)
            header = out[offset:end].split()
            offset = end + 1
            if len(header) == 3 and header[1] == b"blob":
                size = int(header[2])
                self._cache[path] = out[offset : offset + size]
                offset += size + 1
            else:
                self._cache[path] = None

    def read(self, path: str) -> bytes | None:
        if path not in self._cache:
            self.prefetch([path])
        return self._cache.get(path)


class _WorkTreeReader:
    def __init__(self, base: Path, files: dict[str, ChangedFile]) -> None:
        self._base = base
        self._files = files

    def prefetch(self, paths: Iterable[str]) -> None:
        """Working-tree files are read on demand."""

    def read(self, path: str) -> bytes | None:
        changed = self._files.get(path)
        candidate = self._base / path
        if changed is None or not candidate.is_file() or os.path.islink(candidate):
            return None
        data = candidate.read_bytes()
        lines = diff.decode(data).replace("\r\n", "\n").split("\n")
        for number, text in changed.added_lines.items():
            if number > len(lines) or lines[number - 1] != text:
                return None  # the working tree is not the post-change file of this diff
        return data
