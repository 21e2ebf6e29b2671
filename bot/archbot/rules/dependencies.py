"""Dependency declarations: ML-critical packages that float."""

from __future__ import annotations

import re
import shlex
import sys
from collections.abc import Iterator
from posixpath import dirname
from typing import Any

from archbot.carried import replaced_lines
from archbot.classify import PYTHON_LOCK_FILES
from archbot.models import Severity
from archbot.rules import Family, Hit
from archbot.rules.dockerfile import instructions
from archbot.rules.manifests import get, items, scalar
from archbot.rules.source import SourceFile, YamlFile

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib  # type: ignore[import-not-found, unused-ignore]

RULES = Family()

_CRITICAL = frozenset(
    [
        "torch",
        "torchvision",
        "transformers",
        "tokenizers",
        "accelerate",
        "datasets",
        "peft",
        "bitsandbytes",
        "vllm",
        "sentence-transformers",
        "diffusers",
        "openai",
        "anthropic",
        "cohere",
        "google-genai",
        "litellm",
        "numpy",
        "scikit-learn",
        "xgboost",
        "lightgbm",
        "tensorflow",
        "jax",
        "onnxruntime",
        "triton",
    ]
)
_CRITICAL_PREFIXES = ("langchain", "llama-index")
_CONDA_NAMES = {"pytorch": "torch"}
_COMPILED = re.compile(r"^#.*\b(pip-compile|uv pip compile)\b", re.M)
_REQUIREMENT = re.compile(r"^(?P<name>[A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\[[^\]]*\])?\s*(?P<rest>.*)$")
_SPECIFIER = re.compile(r"(===|==|~=|!=|<=|>=|<|>)")
_BOUNDING = frozenset(["===", "==", "~=", "<=", "<"])
_FULL_SHA = re.compile(r"@[0-9a-f]{40}(?:#|$)")
_VCS = ("git+", "hg+", "svn+", "bzr+")
_SHLEX_MAX_CHARS = 10_000
_CONDA_SPEC = re.compile(r"^(?:[\w.-]+::)?(?P<name>[A-Za-z0-9][A-Za-z0-9._-]*)\s*(?P<rest>.*)$")
# pip options that take a value (the value is not a package).
_PIP_VALUED = frozenset(
    [
        "-r",
        "--requirement",
        "-e",
        "--editable",
        "-i",
        "--index-url",
        "--extra-index-url",
        "--index",
        "--default-index",
        "-f",
        "--find-links",
        "-t",
        "--target",
        "--prefix",
        "--root",
        "--platform",
        "--python-version",
        "--implementation",
        "--abi",
        "--trusted-host",
        "--cache-dir",
        "--src",
        "--upgrade-strategy",
        "--progress-bar",
        "--python",
        "-p",
        "--index-strategy",
        "--only-binary",
        "--no-binary",
        "--log",
        "--proxy",
        "--timeout",
        "--retries",
    ]
)


def normalize(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _critical(name: str) -> bool:
    name = normalize(name)
    return name in _CRITICAL or name.startswith(_CRITICAL_PREFIXES)


def _unpinned(requirement: str) -> str | None:
    """Why a PEP 508 requirement of an ML-critical package floats, or None if it is pinned/other."""
    match = _REQUIREMENT.match(requirement.strip())
    if match is None or not _critical(match.group("name")):
        return None
    name = match.group("name")
    rest = match.group("rest").split(";", 1)[0].strip()
    if rest.startswith("@"):
        url = rest[1:].strip()
        if url.startswith(_VCS) and not _FULL_SHA.search(url):
            return f"`{name}` comes from a VCS URL without a commit."
        return None
    return _specifier_verdict(name, rest)


def _specifier_verdict(name: str, specifier: str) -> str | None:
    operators = set(_SPECIFIER.findall(specifier))
    if not specifier.strip(" ()") or not operators:
        return f"`{name}` has no version specifier."
    if operators & _BOUNDING:
        return None
    return f"`{name}{specifier.replace(' ', '')}` has no upper bound."


def _vcs_line(line: str) -> str | None:
    """A bare or editable VCS requirement line naming an ML-critical package without a commit."""
    url = re.sub(r"^(-e|--editable)\s+", "", line)
    if not url.startswith(_VCS) or _FULL_SHA.search(url.split("#", 1)[0] + "#"):
        return None
    egg = re.search(r"[#&]egg=([\w.-]+)", url)
    name = egg.group(1) if egg else url.split("#", 1)[0].split("@", 1)[0].rstrip("/").rsplit("/", 1)[-1]
    name = name.removesuffix(".git")
    return f"`{name}` comes from a VCS URL without a commit." if _critical(name) else None


def _repo_skip(src: SourceFile) -> bool:
    """A lock file, a compiled requirements file, or a library project: floating ranges are fine."""
    if any(src.repo.glob(name) for name in PYTHON_LOCK_FILES):
        return True
    for path in src.repo.glob("requirements*.txt") + src.repo.glob("constraints*.txt"):
        text = src.repo.text(path) if path != src.path else src.text
        if text and _COMPILED.search("\n".join(text.split("\n")[:30])):
            return True
    return _is_library(src)


def _is_library(src: SourceFile) -> bool:
    """Is the nearest pyproject.toml a library (build-system, no application entry point)?"""
    files = set(src.repo.files) | {src.path}
    folder = dirname(src.path)
    while True:
        candidate = f"{folder}/pyproject.toml" if folder else "pyproject.toml"
        if candidate in files:
            text = src.text if candidate == src.path else src.repo.text(candidate)
            return _library_text(text or "")
        if not folder:
            return False
        folder = dirname(folder)


def _library_text(text: str) -> bool:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        return False
    project: dict[str, Any] = data.get("project", {})
    poetry: dict[str, Any] = data.get("tool", {}).get("poetry", {})
    application = (
        bool(project.get("scripts") or project.get("gui-scripts") or poetry.get("scripts"))
        or poetry.get("package-mode") is False
    )
    return "build-system" in data and not application


@RULES.rule(
    "unpinned-ml-dependency",
    title="ML-critical dependency not pinned",
    severity=Severity.MEDIUM,
    persona="ml-system-architect",
    kinds=("requirements", "pyproject", "conda", "dockerfile"),
)
def unpinned_ml_dependency(src: SourceFile) -> Iterator[Hit]:
    """An ML-critical package (torch, transformers, vllm, openai, langchain*, numpy, ...) declared
    with no version, only a lower bound, or a VCS URL without a commit.

    Checked in requirements/constraints files, pyproject `[project].dependencies` and
    `[tool.poetry.dependencies]`, `environment.yml` (conda and pip entries) and Dockerfile
    `pip install` / `uv pip install`. Skipped when the repository has a lock file (`uv.lock`,
    `poetry.lock`, `pdm.lock`, `Pipfile.lock`) or a pip-compile output, when hashes or `-c`
    constraints are used, and for libraries (a pyproject with a build-system and no scripts).
    In Dockerfiles, `-r` files, `.`, local wheels, paths and `pkg @ url` are not checked. A
    requirement line rewritten with the specifier of the line it replaces (a package renamed, an
    extra added) is not reported: the change did not unpin it.

    Why:
        A new torch, transformers or openai release arrives with the next build and silently
        changes numerics, tokenization, defaults or APIs: yesterday's image cannot be rebuilt and
        a model's behaviour changes without any change in the repository.
    Fix:
        Pin exact versions (`torch==2.4.1`) or bounded ranges, or commit a lock file
        (`uv lock`, `poetry lock`, `pip-compile`).
    Bad:
        transformers>=4.40
    Good:
        transformers==4.44.2
    """
    if _repo_skip(src):
        return
    if src.kind == "requirements":
        found = _requirements(src)
    elif src.kind == "pyproject":
        found = _pyproject(src)
    elif src.kind == "conda":
        found = _conda(src) if isinstance(src, YamlFile) else iter(())
    else:
        found = _dockerfile(src)
    kept = _same_pin_as_replaced(src) if src.kind == "requirements" else frozenset()
    details: dict[int, list[str]] = {}
    for line, detail in found:
        if line in src.changed and line not in kept:
            details.setdefault(line, []).append(detail)
    for line, on_line in sorted(details.items()):
        yield Hit(line, " ".join(on_line))


def _same_pin_as_replaced(src: SourceFile) -> frozenset[int]:
    """Requirement lines rewritten with the version specifier of the line each replaces (a package
    renamed, an extra added): the change did not unpin them, the file's pinning was so before."""
    if src.diff is None:
        return frozenset()
    removed = src.diff.removed_lines
    kept: set[int] = set()
    for line, old_line in replaced_lines(src.diff).items():
        new = _REQUIREMENT.match(src.line(line).split("#", 1)[0].strip())
        old = _REQUIREMENT.match(removed.get(old_line, "").split("#", 1)[0].strip())
        if new is not None and old is not None and new.group("rest") == old.group("rest"):
            kept.add(line)
    return frozenset(kept)


def _requirements(src: SourceFile) -> Iterator[tuple[int, str]]:
    entries: list[tuple[int, str]] = []
    start = 0
    parts: list[str] = []
    for number, raw in enumerate(src.lines, start=1):
        code = re.sub(r"(^|\s)#.*$", "", raw).strip()
        if not parts:
            start = number
        if code.endswith("\\"):
            parts.append(code[:-1])
            continue
        parts.append(code)
        entry = " ".join(p for p in parts if p).strip()
        parts = []
        if entry:
            entries.append((start, entry))
    if any(
        re.match(r"(-c|--constraint)\b", e) or "--require-hashes" in e or "--hash" in e for _, e in entries
    ):
        return
    for line, entry in entries:
        verdict = _vcs_line(entry) if entry.startswith(("-e", "--editable", *_VCS)) else None
        if verdict is None and not entry.startswith("-"):
            verdict = _unpinned(entry)
        if verdict:
            yield line, verdict


def _pyproject(src: SourceFile) -> Iterator[tuple[int, str]]:
    try:
        data = tomllib.loads(src.text)
    except tomllib.TOMLDecodeError:
        return
    dependencies = data.get("project", {}).get("dependencies", [])
    start = _table_line(src, "project")
    for dependency in dependencies if isinstance(dependencies, list) else []:
        if not isinstance(dependency, str):
            continue
        verdict = _unpinned(dependency)
        line = _entry_line(src, start, rf"[\"']{re.escape(dependency)}[\"']") if verdict else None
        if verdict and line:
            yield line, verdict
    poetry = data.get("tool", {}).get("poetry", {}).get("dependencies", {})
    start = _table_line(src, "tool.poetry.dependencies")
    for name, value in poetry.items() if isinstance(poetry, dict) else []:
        verdict = _poetry_verdict(name, value) if _critical(name) else None
        line = _entry_line(src, start, rf"^\s*[\"']?{re.escape(name)}[\"']?\s*=") if verdict else None
        if verdict and line:
            yield line, verdict


def _table_line(src: SourceFile, table: str) -> int:
    header = re.compile(rf"^\s*\[\s*{re.escape(table)}\s*\]")
    return next((n for n, text in enumerate(src.lines, start=1) if header.match(text)), 0)


def _entry_line(src: SourceFile, after: int, pattern: str) -> int | None:
    """The first line after the table header `after` that matches, before the next table."""
    if not after:
        return None
    wanted = re.compile(pattern)
    for number in range(after + 1, len(src.lines) + 1):
        text = src.line(number)
        if re.match(r"^\s*\[", text) and not re.match(r"^\s*\[\s*[\"']", text):
            return None
        if wanted.search(text):
            return number
    return None


def _poetry_verdict(name: str, value: object) -> str | None:
    if isinstance(value, dict):
        if "git" in value:
            revision = str(value.get("rev", ""))
            return (
                None
                if re.fullmatch(r"[0-9a-f]{40}", revision)
                else f"`{name}` comes from git without a commit."
            )
        if "path" in value or "url" in value:
            return None
        value = value.get("version", "")
    if not isinstance(value, str):
        return None
    version = value.strip()
    if version.startswith(("^", "~")) and not version.startswith("~="):
        return None
    if re.match(r"^\d", version):
        return None
    return _specifier_verdict(name, "" if version == "*" else version)


def _conda(src: YamlFile) -> Iterator[tuple[int, str]]:
    for document in src.documents:
        for item in items(get(document, "dependencies")):
            spec = scalar(item)
            line = int(item.start_mark.line) + 1
            if spec is not None:
                verdict = _conda_verdict(spec)
                if verdict:
                    yield line, verdict
                continue
            for pip_item in items(get(item, "pip")):
                requirement = scalar(pip_item) or ""
                if requirement.startswith("-"):
                    continue
                verdict = _vcs_line(requirement) or _unpinned(requirement)
                if verdict:
                    yield int(pip_item.start_mark.line) + 1, verdict


def _conda_verdict(spec: str) -> str | None:
    match = _CONDA_SPEC.match(spec.strip())
    if match is None:
        return None
    name = _CONDA_NAMES.get(normalize(match.group("name")), match.group("name"))
    if not _critical(name):
        return None
    rest = match.group("rest").strip()
    if re.match(r"^(=|\d)", rest) and not rest.startswith("=="):
        return None
    return _specifier_verdict(match.group("name"), rest)


def _dockerfile(src: SourceFile) -> Iterator[tuple[int, str]]:
    for instruction in instructions(src.lines):
        if instruction.keyword != "RUN":
            continue
        for command in re.split(r"&&|\|\||;|\|", instruction.arguments):
            for package in _pip_packages(command):
                verdict = _unpinned(package)
                if verdict is None:
                    continue
                line = next(
                    (n for n in instruction.lines if package in src.line(n)),
                    instruction.lines[0],
                )
                yield line, verdict
        for body in instruction.shell_heredocs():
            script = body.text.replace("\\\n", " ")  # continuations join; each line is a command
            for command in re.split(r"&&|\|\||;|\||\n", script):
                for package in _pip_packages(command):
                    verdict = _unpinned(package)
                    if verdict is not None:
                        yield next((n for n in body.lines if package in src.line(n)), body.lines[0]), verdict


def _pip_packages(command: str) -> list[str]:
    """The package arguments of a `pip install` / `uv pip install` command (DL3013 exemptions applied)."""
    if "install" not in command:
        return []
    try:
        # shlex grows each word a character at a time (quadratic): megabyte words are split plainly.
        words = shlex.split(command) if len(command) <= _SHLEX_MAX_CHARS else command.split()
    except ValueError:
        words = command.split()
    if "install" not in words:
        return []
    at = words.index("install")
    if not any(re.fullmatch(r"(.*/)?pip[\d.]*", word) for word in words[:at]):
        return []
    arguments = words[at + 1 :]
    if any(
        word in ("-c", "--constraint", "--require-hashes") or word.startswith(("--constraint=", "-c"))
        for word in arguments
    ):
        return []
    packages: list[str] = []
    skip_next = False
    for word in arguments:
        if skip_next:
            skip_next = False
            continue
        if word.startswith("-"):
            skip_next = word in _PIP_VALUED
            continue
        if "/" in word or word.startswith(".") or "@" in word or word.endswith((".whl", ".tar.gz", ".zip")):
            continue
        packages.append(word)
    return packages
