"""Reading a pull request: its commits in a local repository (the workspace's checkout, or a shallow
fetch into a scratch repository: a bounded number of requests however many files change), the
config and personas at its base revision, and its diff. Only when git cannot get the commits does
the diff come from the API, and then every file that is not fully reviewed is named."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from pathlib import Path
from typing import Protocol

from archbot import config as config_module
from archbot import diff, sources
from archbot.errors import ArchbotError, usage_error
from archbot.github.api import MAX_LISTED_FILES, Client, PullFile
from archbot.github.event import PullInfo
from archbot.models import DiffSource, SkippedFile

# Without a repository, whole files are read one request each: at most this many.
MAX_API_FILE_READS = 100


@dataclasses.dataclass(frozen=True)
class Opened:
    """A pull request ready to review: where its files come from and what could not be read."""

    change: sources.Change
    base: BaseFiles
    root: Path | None
    skipped: tuple[SkippedFile, ...] = ()
    notices: tuple[str, ...] = ()

    def unread(self) -> tuple[str, ...]:
        """Files the review had to read from their diff alone (API reads are bounded)."""
        post = self.change.post
        return tuple(post.unread) if isinstance(post, _ApiHeadFiles) else ()


class BaseFiles(Protocol):
    """Files at the pull request's base: config and personas never come from its head."""

    def read(self, path: str) -> str | None: ...

    def listdir(self, folder: str) -> list[str]: ...


def open_pull(client: Client, info: PullInfo, workspace: Path, scratch: Path) -> Opened:
    """The workspace's clone when it holds the head, else a shallow fetch into `scratch`, else the API."""
    problems: list[str] = []
    for root in (_workspace_root(workspace, info.head_sha), _scratch_root(scratch)):
        if root is None:
            continue
        try:
            return _from_git(client, info, root)
        except ArchbotError as error:
            problems.append(error.message)
    return _from_api(client, info, problems[-1] if problems else "git is not available")


# --- from git --------------------------------------------------------------------------------


def _workspace_root(workspace: Path, head: str) -> Path | None:
    """The checkout of this repository: never fetch into some other clone the run happens to be in."""
    try:
        root = sources.repo_root(workspace)
    except ArchbotError:
        return None
    return root if has_commit(root, head) else None


def _scratch_root(scratch: Path) -> Path | None:
    root = scratch / "repo"
    try:
        root.mkdir(parents=True, exist_ok=True)
        sources.git(["init", "--quiet", str(root)], scratch)
    except (OSError, ArchbotError):
        return None
    return root


def _from_git(client: Client, info: PullInfo, root: Path) -> Opened:
    _fetch_missing(client, info, root, [info.base_sha, info.head_sha])
    merge_base = _local_merge_base(root, info)
    if merge_base is None:
        merge_base = client.merge_base(info)
        _fetch_missing(client, info, root, [merge_base])
    change = sources.ref_range(merge_base, info.head_sha, cwd=root, base_is_merge_base=True)
    source = DiffSource("github", base=info.base_sha, head=info.head_sha)
    return Opened(dataclasses.replace(change, source=source), _GitBase(root, info.base_sha), root)


def _fetch_missing(client: Client, info: PullInfo, root: Path, shas: Iterable[str]) -> None:
    missing = sorted({sha for sha in shas if not has_commit(root, sha)})
    if not missing:
        return
    url, auth = client.git_remote(info.repo)
    depth = ["--depth=1"] if _is_shallow(root) or not has_commit(root, "HEAD") else []
    sources.git(
        ["fetch", "--quiet", "--no-tags", "--no-write-fetch-head", *depth, url, *missing], root, env=auth
    )


def has_commit(root: Path, sha: str) -> bool:
    try:
        sources.git(["cat-file", "-e", f"{sha}^{{commit}}"], root)
    except ArchbotError:
        return False
    return True


def _is_shallow(root: Path) -> bool:
    try:
        return diff.decode(sources.git(["rev-parse", "--is-shallow-repository"], root)).strip() == "true"
    except ArchbotError:
        return False


def _local_merge_base(root: Path, info: PullInfo) -> str | None:
    try:
        out = sources.git(["merge-base", info.base_sha, info.head_sha], root)
    except ArchbotError:
        return None
    return diff.decode(out).strip() or None


class _GitBase:
    def __init__(self, root: Path, sha: str) -> None:
        self._root = root
        self._sha = sha

    def read(self, path: str) -> str | None:
        try:
            return diff.decode(sources.git(["show", f"{self._sha}:{path}"], self._root))
        except ArchbotError:
            return None

    def listdir(self, folder: str) -> list[str]:
        try:
            out = sources.git(["ls-tree", "-z", "--name-only", self._sha, f"{folder}/"], self._root)
        except ArchbotError:
            return []
        return [p for p in diff.decode(out).split("\0") if p]


# --- from the API --------------------------------------------------------------------------


def _from_api(client: Client, info: PullInfo, why: str) -> Opened:
    text = client.diff_text(info)
    skipped: list[SkippedFile] = []
    notices = [f"reviewed through the API: git could not fetch the commits ({why})"]
    if text is None:
        pull = client.pull(info.repo, info.number)
        listed = client.files(info)
        text = "".join(_file_patch(f) for f in listed if f.patch is not None)
        skipped += [
            SkippedFile(f.path, "not reviewed: GitHub sent no patch (too large or binary)")
            for f in listed
            if f.patch is None and f.status != "removed"
        ]
        unlisted = pull.changed_files - len(listed)
        if unlisted > 0:
            notices.append(
                f"{unlisted} changed file(s) were not reviewed: GitHub lists at most "
                f"{MAX_LISTED_FILES:,} files of a pull request; check out the repository "
                "(actions/checkout with fetch-depth: 0) to review them all"
            )
    if skipped:
        notices.append(f"{len(skipped)} changed file(s) were not reviewed; they are listed under Details")
    source = DiffSource("github", base=info.base_sha, head=info.head_sha)
    head_files = _ApiHeadFiles(client, info)
    change = sources.from_text(text, source, head_files, None)
    return Opened(change, _ApiBase(client, info), None, tuple(skipped), tuple(notices))


def _file_patch(item: PullFile) -> str:
    old = item.previous or item.path
    header = [f"diff --git a/{old} b/{item.path}"]
    if item.status == "renamed" and item.previous:
        header += [f"rename from {item.previous}", f"rename to {item.path}"]
    header.append("--- /dev/null" if item.status == "added" else f"--- a/{old}")
    header.append("+++ /dev/null" if item.status == "removed" else f"+++ b/{item.path}")
    return "\n".join([*header, (item.patch or "").rstrip("\n"), ""])


class _ApiBase:
    def __init__(self, client: Client, info: PullInfo) -> None:
        self._client = client
        self._info = info

    def read(self, path: str) -> str | None:
        data = self._client.file(self._info.repo, path, self._info.base_sha)
        return diff.decode(data) if data is not None else None

    def listdir(self, folder: str) -> list[str]:
        return self._client.folder(self._info.repo, folder, self._info.base_sha)


class _ApiHeadFiles:
    """Post-change files read one request each, at most MAX_API_FILE_READS of them: past that, or
    when GitHub will not send it (over 1 MB), a file is reviewed from its diff alone."""

    def __init__(self, client: Client, info: PullInfo) -> None:
        self._client = client
        self._info = info
        self._cache: dict[str, bytes | None] = {}
        self.unread: list[str] = []

    def prefetch(self, paths: Iterable[str]) -> None:
        """Read on demand: only the files the review needs."""

    def read(self, path: str) -> bytes | None:
        if path not in self._cache:
            if len(self._cache) >= MAX_API_FILE_READS:
                self.unread.append(path)
                return None
            data = self._client.file(self._info.repo, path, self._info.head_sha)
            if data is None:
                self.unread.append(path)  # over 1 MB, or not a file: its diff is all there is
            self._cache[path] = data
        return self._cache[path]


# --- config and personas at the base -----------------------------------------------------------


def base_config(base: BaseFiles, explicit: str | None) -> config_module.Config:
    names = (explicit,) if explicit else (*config_module.CONFIG_FILES, "pyproject.toml")
    for name in names:
        text = base.read(name)
        if text is None:
            continue
        parsed = config_module.parse(text, f"base:{name}")
        if not name.endswith(".toml") or parsed.origin is not None:
            return parsed
    if explicit:
        raise usage_error(f"config {explicit} does not exist at the base revision")
    return config_module.Config()


def base_persona_texts(base: BaseFiles, claude_agents: bool) -> list[tuple[str, str]]:
    folders = [".archbot/personas"] + ([".claude/agents"] if claude_agents else [])
    texts = []
    for folder in folders:
        for path in sorted(base.listdir(folder)):
            text = base.read(path) if path.endswith(".md") else None
            if text is not None:
                texts.append((f"base:{path}", text))
    return texts


def changed_since(root: Path | None, old_head: str, new_head: str) -> dict[str, frozenset[int]] | None:
    """New-file lines changed between the last reviewed head and this one; None when unknown
    (no local history, or history rewritten by a force-push)."""
    if root is None:
        return None
    try:
        sources.git(["merge-base", "--is-ancestor", old_head, new_head], root)
        change = sources.ref_range(old_head, new_head, cwd=root)
    except ArchbotError:
        return None
    return {f.path: frozenset(f.added_lines) for f in change.files if not f.is_deleted}
