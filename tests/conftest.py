"""Shared fixtures: real git repositories in temp dirs, and the CLI run in-process or as a subprocess."""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from archbot.cli import main

pytest_plugins = ["anthropic_server"]

ROOT = Path(__file__).resolve().parent.parent
ARCHBOT = Path(sys.executable).parent / "archbot"


@dataclasses.dataclass
class GitRepo:
    path: Path

    def git(self, *args: str) -> str:
        result = subprocess.run(["git", *args], cwd=self.path, capture_output=True, text=True, check=True)
        return result.stdout

    def write(self, relative: str, content: str | bytes) -> Path:
        target = self.path / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            target.write_bytes(content)
        else:
            target.write_text(content, encoding="utf-8")
        return target

    def stage(self, relative: str, content: str | bytes) -> None:
        self.write(relative, content)
        self.git("add", "--", relative)

    def commit(self, message: str = "change") -> str:
        self.git("add", "-A")
        self.git("commit", "-q", "--allow-empty", "-m", message)
        return self.git("rev-parse", "HEAD").strip()


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[GitRepo]:
    """An empty git repository as the working directory, isolated from the user's git config."""
    path = tmp_path / "repo"
    path.mkdir()
    for name in (
        "GIT_DIR",
        "GIT_WORK_TREE",
        "GIT_INDEX_FILE",
        "PRE_COMMIT",
        "PRE_COMMIT_FROM_REF",
        "PRE_COMMIT_TO_REF",
        "ANTHROPIC_API_KEY",
        "ANTHROPIC_BASE_URL",
        "GITHUB_TOKEN",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(tmp_path / "gitconfig"))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.setenv("ARCHBOT_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.chdir(path)
    subprocess.run(["git", "init", "-q", "-b", "main"], cwd=path, check=True)
    for key, value in (("user.email", "dev@example.test"), ("user.name", "Dev"), ("commit.gpgsign", "false")):
        subprocess.run(["git", "config", key, value], cwd=path, check=True)
    yield GitRepo(path)


@dataclasses.dataclass
class Run:
    code: int
    out: str
    err: str


@pytest.fixture
def run_archbot(capsys: pytest.CaptureFixture[str]):  # type: ignore[no-untyped-def]
    """Run the CLI in-process; returns exit code and captured stdout/stderr."""

    def run(*args: str) -> Run:
        code = main(list(args))
        captured = capsys.readouterr()
        return Run(code, captured.out, captured.err)

    return run


def places(report: dict[str, Any]) -> list[dict[str, Any]]:
    """Every place a report's findings stand for, as the rules found them: one rule's finding
    grouped over several lines of a file (filter.grouped) counts once per line, with that line's
    own severity, one standing for the same code in other files (filter.across_files) once per
    line of each, and a hygiene line (example and script code) once per finding folded into it."""
    found: list[dict[str, Any]] = []
    for finding in report["findings"]:
        if finding["folded"]:
            found += [{**finding, **folded} for folded in finding["folded"]]
        else:
            found += [{**finding, **place} for place in finding["places"]]
        found += [
            {**finding, "file": other["file"], "line": line}
            for other in finding.get("also", [])
            for line in other["lines"]
        ]
    return found


def run_console(
    *args: str, cwd: Path, env: dict[str, str] | None = None, stdin: bytes | None = None
) -> subprocess.CompletedProcess[str]:
    """The installed console script, as a user runs it."""
    full_env = {**os.environ, **(env or {})}
    return subprocess.run(
        [str(ARCHBOT), *args],
        cwd=cwd,
        env=full_env,
        capture_output=True,
        text=True,
        input=stdin.decode() if stdin is not None else None,
    )
