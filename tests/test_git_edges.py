"""Git states users run into: no commits, detached HEAD, shallow clones, submodules, conflicts, bad refs.

Each is a review or one clear line with an exact exit code, never a traceback."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import GitRepo, Run

RunArchbot = Callable[..., Run]

DEFECT = (
    "import requests\nfrom openai import OpenAI\n\nclient = OpenAI(timeout=30)\n\n\n"
    'def ping():\n    return requests.get("http://vllm:8000/health")\n'
)
FIXED = DEFECT.replace('/health")', '/health", timeout=5)')
SHALLOW_HINT = "(in GitHub Actions: actions/checkout with fetch-depth: 0)"


def findings(run_archbot: RunArchbot, *args: str) -> list[tuple[str, int, str]]:
    result = run_archbot("review", "--format", "json", "--fail-on", "never", *args)
    assert (result.code, result.err) == (0, "")
    return [(f["file"], f["line"], f["rule"]) for f in json.loads(result.out)["findings"]]


def error_line(run_archbot: RunArchbot, *args: str) -> tuple[int, str]:
    result = run_archbot(*args)
    assert "Traceback" not in result.err + result.out
    assert result.out == ""
    return result.code, result.err


def history(repo: GitRepo, commits: int) -> list[str]:
    shas = []
    for number in range(commits):
        repo.stage("docs/changelog.md", "".join(f"- change {n}\n" for n in range(number + 1)))
        shas.append(repo.commit(f"change {number}"))
    return shas


def git(*args: str, cwd: Path) -> None:
    identity = ("-c", "user.email=dev@example.test", "-c", "user.name=Dev")
    subprocess.run(["git", *identity, *args], cwd=cwd, check=True, capture_output=True)


def test_no_commits_reviews_the_staged_files(repo: GitRepo, run_archbot: RunArchbot) -> None:
    repo.stage("llm/health.py", DEFECT)
    assert findings(run_archbot) == [("llm/health.py", 8, "http-call-no-timeout")]


@pytest.mark.parametrize("base", ["HEAD", "main"])
def test_no_commits_with_a_base(repo: GitRepo, run_archbot: RunArchbot, base: str) -> None:
    repo.stage("llm/health.py", DEFECT)
    assert error_line(run_archbot, "review", "--base", base) == (
        2,
        f"archbot: base ref '{base}' not found: this repository has no commits yet; "
        "review staged changes with `archbot review`\n",
    )


def test_detached_head_staged_and_range(repo: GitRepo, run_archbot: RunArchbot) -> None:
    repo.stage("README.md", "# gateway\n")
    repo.commit("init")
    repo.git("checkout", "-q", "-b", "feature")
    repo.stage("llm/health.py", DEFECT)
    repo.commit("health check")
    repo.git("checkout", "-q", "--detach", "feature")
    repo.stage("jobs/warmup.py", DEFECT)

    assert repo.git("branch", "--show-current") == ""
    assert findings(run_archbot) == [("jobs/warmup.py", 8, "http-call-no-timeout")]
    assert findings(run_archbot, "--base", "main") == [("llm/health.py", 8, "http-call-no-timeout")]


@pytest.fixture
def shallow(repo: GitRepo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, list[str]]:
    """A depth-1 clone of a repository with five commits (the last adds the defect)."""
    shas = history(repo, 4)
    repo.stage("llm/health.py", DEFECT)
    shas.append(repo.commit("health check"))
    clone = tmp_path / "clone"
    git("clone", "-q", "--depth", "1", f"file://{repo.path}", str(clone), cwd=tmp_path)
    monkeypatch.chdir(clone)
    return clone, shas


def test_shallow_clone_missing_an_ancestor(shallow: tuple[Path, list[str]], run_archbot: RunArchbot) -> None:
    clone, _ = shallow
    assert error_line(run_archbot, "review", "--base", "origin/main~3") == (
        2,
        "archbot: base ref 'origin/main~3' not found in this shallow clone; fetch the history: "
        f"git fetch --unshallow origin {SHALLOW_HINT}\n",
    )
    git("fetch", "-q", "--unshallow", "origin", cwd=clone)  # the advice, followed
    assert findings(run_archbot, "--base", "origin/main~3") == [("llm/health.py", 8, "http-call-no-timeout")]


def test_shallow_clone_missing_a_commit(shallow: tuple[Path, list[str]], run_archbot: RunArchbot) -> None:
    _, shas = shallow
    assert error_line(run_archbot, "review", "--base", shas[0]) == (
        2,
        f"archbot: base ref '{shas[0]}' not found in this shallow clone; fetch the history: "
        f"git fetch --unshallow origin {SHALLOW_HINT}\n",
    )


def test_shallow_clone_missing_a_branch(shallow: tuple[Path, list[str]], run_archbot: RunArchbot) -> None:
    assert error_line(run_archbot, "review", "--base", "origin/release") == (
        2,
        "archbot: base ref 'origin/release' not found in this shallow clone; fetch the history: "
        f"git fetch --unshallow origin release {SHALLOW_HINT}\n",
    )


def test_unknown_base_and_head(repo: GitRepo, run_archbot: RunArchbot) -> None:
    history(repo, 2)
    repo.git("remote", "add", "upstream", "https://example.test/gateway.git")

    assert error_line(run_archbot, "review", "--base", "nosuchref") == (
        2,
        "archbot: base ref 'nosuchref' not found in this repository; fetch it: git fetch origin nosuchref\n",
    )
    assert error_line(run_archbot, "review", "--base", "upstream/release") == (
        2,
        "archbot: base ref 'upstream/release' not found in this repository; "
        "fetch it: git fetch upstream release\n",
    )
    assert error_line(run_archbot, "review", "--base", "HEAD~5") == (
        2,
        "archbot: base ref 'HEAD~5' not found: the history of HEAD does not go back that far\n",
    )
    assert error_line(run_archbot, "review", "--base", "main", "--head", "feature/gone") == (
        2,
        "archbot: head ref 'feature/gone' not found in this repository; "
        "fetch it: git fetch origin feature/gone\n",
    )
    assert error_line(run_archbot, "review", "--base", "--cached") == (
        2,
        "archbot: base ref '--cached' is not a ref\n",
    )


def test_outside_a_repository(
    tmp_path: Path, run_archbot: RunArchbot, monkeypatch: pytest.MonkeyPatch
) -> None:
    outside = tmp_path / "plain"
    outside.mkdir()
    monkeypatch.chdir(outside)
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    expected = (
        2,
        "archbot: not inside a git repository: run archbot in a repository, or review a file with --diff\n",
    )
    assert error_line(run_archbot, "review") == expected
    assert error_line(run_archbot, "review", "--base", "main") == expected


@pytest.fixture
def submodule_source(tmp_path: Path) -> str:
    """A small repository to add as a submodule, with two commits."""
    path = tmp_path / "prompts"
    path.mkdir()
    git("init", "-q", "-b", "main", cwd=path)
    (path / "system.txt").write_text("You answer questions.\n", encoding="utf-8")
    git("add", "system.txt", cwd=path)
    git("commit", "-q", "-m", "prompt", cwd=path)
    return f"file://{path}"


def add_submodule(repo: GitRepo, url: str, where: str) -> None:
    repo.git("-c", "protocol.file.allow=always", "submodule", "add", "-q", url, where)


def test_submodule_added_is_not_read_as_a_file(
    repo: GitRepo, run_archbot: RunArchbot, submodule_source: str
) -> None:
    repo.stage("README.md", "# gateway\n")
    repo.commit("init")
    add_submodule(repo, submodule_source, "serving/llm_client.py")  # a gitlink with a Python-looking name
    repo.stage("llm/health.py", DEFECT)

    assert "new file mode 160000" in repo.git("diff", "--cached")
    result = run_archbot("review", "--format", "json", "--fail-on", "never")
    report = json.loads(result.out)

    assert (result.code, result.err) == (0, "")
    # The gitlink is no file: never reviewed, never skipped, no role (`.gitmodules` is a text file).
    assert (report["files"]["reviewed"], report["files"]["skipped"]) == (
        [".gitmodules", "llm/health.py"],
        [],
    )
    assert sorted(report["files"]["roles"]) == [".gitmodules", "llm/health.py"]
    assert [(f["file"], f["line"], f["rule"]) for f in report["findings"]] == [
        ("llm/health.py", 8, "http-call-no-timeout")
    ]
    assert report["notices"] == []


def test_submodule_bump_alone_is_no_change(
    repo: GitRepo, run_archbot: RunArchbot, submodule_source: str, tmp_path: Path
) -> None:
    add_submodule(repo, submodule_source, "vendor/prompts")
    repo.commit("add prompts")
    checkout = repo.path / "vendor" / "prompts"
    (checkout / "system.txt").write_text("You answer questions briefly.\n", encoding="utf-8")
    git("commit", "-q", "-am", "shorter", cwd=checkout)
    repo.git("add", "vendor/prompts")
    staged_diff = repo.git("diff", "--cached")
    (tmp_path / "bump.diff").write_text(staged_diff, encoding="utf-8")

    assert "Subproject commit" in staged_diff
    assert run_archbot("review") == Run(0, "archbot: no ML/LLM-related changes\n", "")
    assert run_archbot("review", "--diff", str(tmp_path / "bump.diff")) == Run(
        0, "archbot: no ML/LLM-related changes\n", ""
    )


def test_unmerged_paths_stop_the_staged_review(repo: GitRepo, run_archbot: RunArchbot) -> None:
    repo.stage("llm/health.py", DEFECT)
    repo.stage("llm/prompts.py", "SYSTEM = 'answer'\n")
    repo.commit("init")
    repo.git("checkout", "-q", "-b", "feature")
    repo.stage("llm/health.py", FIXED)
    repo.stage("llm/prompts.py", "SYSTEM = 'answer briefly'\n")
    repo.commit("fix")
    repo.git("checkout", "-q", "main")
    repo.stage("llm/health.py", DEFECT.replace("8000", "8001"))
    repo.stage("llm/prompts.py", "SYSTEM = 'answer in English'\n")
    repo.commit("port")
    merge = subprocess.run(["git", "merge", "-q", "feature"], cwd=repo.path, capture_output=True, text=True)
    repo.stage("jobs/warmup.py", DEFECT)

    assert merge.returncode == 1
    assert error_line(run_archbot, "review") == (
        2,
        "archbot: the index has unmerged paths: llm/health.py, llm/prompts.py; "
        "resolve the conflicts and `git add` them, then review\n",
    )
    repo.stage("llm/health.py", FIXED)
    repo.stage("llm/prompts.py", "SYSTEM = 'answer briefly in English'\n")
    assert findings(run_archbot) == [("jobs/warmup.py", 8, "http-call-no-timeout")]


@pytest.mark.parametrize("path", ["llm/health check.py", "llm/santé/clïent ü.py", "llm/日本語 パス.py"])
def test_paths_with_spaces_and_unicode(repo: GitRepo, run_archbot: RunArchbot, path: str) -> None:
    repo.stage("README.md", "# gateway\n")
    repo.commit("init")
    repo.stage(path, DEFECT)

    assert findings(run_archbot) == [(path, 8, "http-call-no-timeout")]
    repo.commit("add")
    assert findings(run_archbot, "--base", "HEAD~1") == [(path, 8, "http-call-no-timeout")]
    assert findings(run_archbot, "--base", "HEAD~1", path) == [(path, 8, "http-call-no-timeout")]
