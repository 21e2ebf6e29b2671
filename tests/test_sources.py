"""Where the change comes from: the index, a ref range with merge-base semantics, path limits."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest

from conftest import GitRepo, Run

RunArchbot = Callable[..., Run]

DEFECT = (
    "import requests\nfrom openai import OpenAI\n\nclient = OpenAI(timeout=30)\n\n\n"
    'def ping():\n    return requests.get("http://vllm:8000/health")\n'
)
FIXED = DEFECT.replace('/health")', '/health", timeout=5)')


def located(run_archbot: RunArchbot, *args: str) -> list[tuple[str, int, str]]:
    result = run_archbot("review", "--format", "json", "--fail-on", "never", *args)
    assert (result.code, result.err) == (0, "")
    report = json.loads(result.out)
    return sorted((f["file"], f["line"], f["rule"]) for f in report["findings"])


def test_staged_in_a_repository_without_commits(repo: GitRepo, run_archbot: RunArchbot) -> None:
    repo.stage("llm/health.py", DEFECT)
    assert located(run_archbot) == [("llm/health.py", 8, "http-call-no-timeout")]


def test_staged_reads_the_index_not_the_working_tree(repo: GitRepo, run_archbot: RunArchbot) -> None:
    repo.stage("llm/health.py", DEFECT)
    repo.write("llm/health.py", FIXED)  # fixed on disk, but the fix is not staged
    assert located(run_archbot, "--staged") == [("llm/health.py", 8, "http-call-no-timeout")]


def test_unstaged_changes_are_not_reviewed(repo: GitRepo, run_archbot: RunArchbot) -> None:
    repo.stage("README.md", "# gateway\n")
    repo.commit("init")
    repo.write("llm/health.py", DEFECT)
    result = run_archbot("review")
    assert (result.code, result.out) == (0, "archbot: no ML/LLM-related changes\n")


def test_base_uses_the_merge_base(repo: GitRepo, run_archbot: RunArchbot) -> None:
    repo.stage("README.md", "# gateway\n")
    repo.commit("init")
    repo.git("checkout", "-q", "-b", "feature")
    repo.stage("llm/health.py", DEFECT)
    repo.commit("health check")
    repo.git("checkout", "-q", "main")
    repo.stage("llm/main_only.py", DEFECT)  # lands on main after the fork
    repo.commit("unrelated work on main")

    from_main = located(run_archbot, "--base", "main", "--head", "feature")
    repo.git("checkout", "-q", "feature")
    from_feature = located(run_archbot, "--base", "main")

    assert from_main == from_feature == [("llm/health.py", 8, "http-call-no-timeout")]


def test_range_reads_the_head_revision_not_the_working_tree(repo: GitRepo, run_archbot: RunArchbot) -> None:
    repo.stage("README.md", "# gateway\n")
    repo.commit("init")
    repo.stage("llm/health.py", DEFECT)
    repo.commit("health check")
    repo.write("llm/health.py", "# rewritten locally\n" + FIXED)
    assert located(run_archbot, "--base", "HEAD~1") == [("llm/health.py", 8, "http-call-no-timeout")]


def test_paths_limit_the_review(repo: GitRepo, run_archbot: RunArchbot) -> None:
    repo.stage("README.md", "# gateway\n")
    repo.commit("init")
    repo.stage("llm/health.py", DEFECT)
    repo.stage("jobs/warmup.py", DEFECT)

    assert located(run_archbot, "llm") == [("llm/health.py", 8, "http-call-no-timeout")]
    assert located(run_archbot, "jobs/warmup.py") == [("jobs/warmup.py", 8, "http-call-no-timeout")]
    repo.commit("both")
    assert located(run_archbot, "--base", "HEAD~1", "jobs") == [("jobs/warmup.py", 8, "http-call-no-timeout")]


def test_paths_are_relative_to_the_current_directory(
    repo: GitRepo, run_archbot: RunArchbot, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo.stage("llm/health.py", DEFECT)
    repo.stage("jobs/warmup.py", DEFECT)
    monkeypatch.chdir(repo.path / "llm")
    assert located(run_archbot, "health.py") == [("llm/health.py", 8, "http-call-no-timeout")]


def test_unknown_base_ref_says_how_to_fetch(repo: GitRepo, run_archbot: RunArchbot) -> None:
    repo.stage("README.md", "# gateway\n")
    repo.commit("init")
    result = run_archbot("review", "--base", "nosuchref")
    assert (result.code, result.out, result.err) == (
        2,
        "",
        "archbot: base ref 'nosuchref' not found in this repository; fetch it: git fetch origin nosuchref\n",
    )


def test_head_needs_base(repo: GitRepo, run_archbot: RunArchbot) -> None:
    result = run_archbot("review", "--head", "HEAD")
    assert (result.code, result.err) == (2, "archbot: --head needs --base\n")


def test_detached_head(repo: GitRepo, run_archbot: RunArchbot) -> None:
    repo.stage("README.md", "# gateway\n")
    repo.commit("init")
    repo.stage("llm/health.py", DEFECT)
    repo.commit("health check")
    repo.git("checkout", "-q", "--detach", "HEAD")
    assert repo.git("rev-parse", "--abbrev-ref", "HEAD").strip() == "HEAD"

    assert located(run_archbot, "--base", "main~1") == [("llm/health.py", 8, "http-call-no-timeout")]
    repo.stage("jobs/warmup.py", DEFECT)
    assert located(run_archbot) == [("jobs/warmup.py", 8, "http-call-no-timeout")]
