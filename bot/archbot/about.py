"""Which archbot this is: its version, the commit it was built from, and where it is published.

The commit is what `archbot init` pins in the snippets it writes (pre-commit's `rev:`), so that a
teammate gets exactly this archbot, and what `archbot --version` prints. It is known when archbot
runs from a git checkout (an editable install), when pip installed it from a git URL or a local
git checkout (pre-commit installs a hook from its clone of the repository), or when the release
build wrote it into the package (`COMMIT`, see .github/workflows/release.yml).
"""

from __future__ import annotations

import functools
import importlib.metadata
import json
import re
import subprocess
from pathlib import Path
from urllib.parse import unquote, urlparse

DISTRIBUTION = "archbot"
# Where the project is published: the repository pre-commit and the Action install from.
GITHUB_REPOSITORY = "archbot/archbot"
REPOSITORY = f"https://github.com/{GITHUB_REPOSITORY}"
_PACKAGE = Path(__file__).resolve().parent
_SHA = re.compile(r"[0-9a-f]{40}")


def version() -> str:
    try:
        return importlib.metadata.version(DISTRIBUTION)
    except importlib.metadata.PackageNotFoundError:
        return "unknown"


@functools.cache
def commit() -> str | None:
    """The full commit id this archbot was built from, or None when nothing says."""
    baked = _PACKAGE / "COMMIT"
    if baked.is_file():
        text = baked.read_text(encoding="utf-8").strip()
        return text if _SHA.fullmatch(text) else None
    return _checkout_commit(_PACKAGE) or _installed_from_commit()


def describe() -> str:
    found = commit()
    return f"archbot {version()} (commit {found or 'unknown'})"


def _checkout_commit(folder: Path) -> str | None:
    """HEAD of the git checkout holding `folder`, when that checkout is archbot's own source."""
    try:
        result = subprocess.run(
            ["git", "rev-parse", "--show-toplevel", "HEAD"],
            cwd=folder,
            capture_output=True,
            text=True,
            check=False,
        )
    except (FileNotFoundError, NotADirectoryError):
        return None
    lines = result.stdout.split()
    if result.returncode != 0 or len(lines) != 2 or not _SHA.fullmatch(lines[1]):
        return None
    own = (Path(lines[0]) / "bot" / "archbot" / "about.py").is_file()
    return lines[1] if own else None


def _installed_from_commit() -> str | None:
    """The commit pip recorded (PEP 610 direct_url.json): a git URL's commit, or HEAD of the local
    checkout it was installed from (still there for pre-commit's clones)."""
    try:
        recorded = importlib.metadata.distribution(DISTRIBUTION).read_text("direct_url.json")
    except importlib.metadata.PackageNotFoundError:
        return None
    if not recorded:
        return None
    try:
        origin = json.loads(recorded)
    except ValueError:
        return None
    vcs = origin.get("vcs_info") if isinstance(origin, dict) else None
    if isinstance(vcs, dict) and _SHA.fullmatch(str(vcs.get("commit_id", ""))):
        return str(vcs["commit_id"])
    url = urlparse(str(origin.get("url", ""))) if isinstance(origin, dict) else None
    if url is not None and url.scheme == "file" and "dir_info" in origin:
        return _checkout_commit(Path(unquote(url.path)))
    return None
