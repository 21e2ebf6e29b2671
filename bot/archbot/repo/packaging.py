"""Whether a distribution is published: installed by other projects, from an index or from its git
repository; and whether the repository's code reaches others at all (also as a container image
its workflows push).

A library is published for others to install; a package nothing publishes is installed only from
this repository, by its own deployment or its own authors. Read from the project's README (or the
repository's) and its installation docs, telling users to install it by name or from its git
repository, and from the repository's workflows, uploading a package to an index or pushing an
image to a registry.
"""

from __future__ import annotations

import functools
import re
import sys
from collections.abc import Iterator, Mapping
from typing import Protocol

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib  # type: ignore[import-not-found, unused-ignore]


class Repository(Protocol):
    """The revision under review: its file list and file texts (repo.model.Repository)."""

    @property
    def files(self) -> tuple[str, ...]: ...

    def text(self, path: str) -> str | None: ...

    def __hash__(self) -> int: ...


_README = re.compile(r"README(?:\.\w+)?", re.IGNORECASE)
# Installing a distribution by its name from an index, or from its git repository, as its users do
# (not `pip install -e .`, not a path). Names compare as the index does: case and `-_.` aside.
_INSTALLED = (
    r"(?:\bpip3?\s+install|\buv\s+(?:add|pip\s+install|tool\s+install)|\bpoetry\s+add|\bpipx\s+install"
    r"|\bconda\s+install(?:\s+-c\s+\S+)?)\s+(?:(?:-U|--upgrade|-q|--quiet|--pre)\s+)*[\"']?"
    r"(?:{name}(?![\w/.-])|(?:[\w.\[\], -]+@\s*)?git\+https?://\S+)"
)
# A workflow step uploading a package to an index.
_UPLOADS = re.compile(r"pypi-publish|twine\s+upload|(?:poetry|uv|flit|hatch|pdm|maturin)\s+publish")
# A workflow step pushing a container image to a registry.
_PUSHES = re.compile(r"docker/build-push-action|\b(?:docker|podman|buildah)\s+push\b")
# Installation docs: a page under `docs/` (or `doc/`) named for installing or getting started.
_INSTALL_DOC = re.compile(
    r"(?:^|/)docs?/(?:[^/]+/)*[^/]*(?:install|quickstart|getting[-_]started)[^/]*\.(?:md|mdx|rst|txt)$", re.I
)
# The files that say a directory's distribution name.
_PROJECT_FILES = ("pyproject.toml", "setup.py", "setup.cfg")
_SETUP_NAME = re.compile(r"""^\s*name\s*[=:]\s*["']?([A-Za-z0-9][\w.-]*)""", re.MULTILINE)


def installs(text: str, name: str) -> bool:
    """`text` (a README) tells its reader to install the distribution `name`."""
    spelled = "[-_.]+".join(re.escape(part) for part in re.split(r"[-_.]+", name))
    return re.search(_INSTALLED.format(name=spelled), text, re.IGNORECASE) is not None


def uploads(text: str) -> bool:
    """`text` (a workflow) uploads a package to an index."""
    return _UPLOADS.search(text) is not None


def pushes(text: str) -> bool:
    """`text` (a workflow) pushes a container image to a registry."""
    return _PUSHES.search(text) is not None


@functools.lru_cache(maxsize=64)
def published(repo: Repository, directory: str, name: str) -> bool:
    """The distribution `name` of the project in `directory` ('' for the root) is published: its
    README, the repository's or an installation page of its docs tells users to install it, or a
    workflow uploads a package."""
    if name:
        for folder in dict.fromkeys((directory, "")):
            prefix = f"{folder}/" if folder else ""
            readmes = (f for f in repo.files if f.startswith(prefix) and _README.fullmatch(f[len(prefix) :]))
            if any(installs(repo.text(readme) or "", name) for readme in readmes):
                return True
        guides = (f for f in repo.files if _INSTALL_DOC.search(f))
        if any(installs(repo.text(guide) or "", name) for guide in guides):
            return True
    return any(uploads(text) for text in _workflows(repo))


def _workflows(repo: Repository) -> Iterator[str]:
    return (repo.text(path) or "" for path in repo.files if path.startswith(".github/workflows/"))


def distribution_name(file: str, text: str) -> str:
    """The distribution name a project file declares (`[project].name`, Poetry's, `setup(name=)`),
    or ''."""
    if file.endswith(".toml"):
        try:
            return declared_name(tomllib.loads(text))
        except tomllib.TOMLDecodeError:
            return ""
    found = _SETUP_NAME.search(text)
    return found.group(1) if found else ""


def declared_name(table: Mapping[str, object]) -> str:
    """The distribution name a parsed `pyproject.toml` declares (`[project].name`, else Poetry's
    `[tool.poetry].name`), or ''."""
    project, tool = table.get("project", {}), table.get("tool", {})
    poetry = tool.get("poetry", {}) if isinstance(tool, dict) else {}
    name = (project.get("name") if isinstance(project, dict) else None) or (
        poetry.get("name") if isinstance(poetry, dict) else None
    )
    return name if isinstance(name, str) else ""


@functools.lru_cache(maxsize=256)
def distribution(repo: Repository, path: str) -> tuple[str, str] | None:
    """The directory and name of the nearest distribution above `path`; None when no project file
    above it names one."""
    directory = path
    held = _held(repo)
    while directory:
        directory = directory.rsplit("/", 1)[0] if "/" in directory else ""
        for file in _PROJECT_FILES:
            where = f"{directory}/{file}" if directory else file
            if where in held:
                name = distribution_name(where, repo.text(where) or "")
                if name:
                    return directory, name
    return None


@functools.lru_cache(maxsize=8)
def _held(repo: Repository) -> frozenset[str]:
    return frozenset(repo.files)


@functools.lru_cache(maxsize=8)
def _pushes_images(repo: Repository) -> bool:
    return any(pushes(text) for text in _workflows(repo))


def reaches_others(repo: Repository, path: str) -> bool | None:
    """Whether the code of the distribution holding `path` reaches other people: the distribution is
    published, or the repository's workflows push an image others run (a model server's). None
    when no project file names a distribution."""
    found = distribution(repo, path)
    if found is None:
        return None
    return published(repo, *found) or _pushes_images(repo)
