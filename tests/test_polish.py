"""What a new user meets at the edges: `init` outside a repository, `--base main` in a fresh clone,
a diff cut off at a file header, binary files, the meta-rule and severities explained, the README."""

from __future__ import annotations

import json
import re
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from archbot import diff
from archbot.errors import ArchbotError
from conftest import GitRepo, Run

ROOT = Path(__file__).resolve().parent.parent
RunArchbot = Callable[..., Run]
DEFECT = "from openai import OpenAI\n\nclient = OpenAI(timeout=None)\n"


def test_init_outside_a_repository_says_so_and_writes_nothing(
    tmp_path: Path, run_archbot: RunArchbot, monkeypatch: pytest.MonkeyPatch
) -> None:
    plain = tmp_path / "plain"
    plain.mkdir()
    monkeypatch.chdir(plain)
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))

    result = run_archbot("init")

    assert (result.code, result.out) == (2, "")
    assert result.err == (
        "archbot: not inside a git repository: run `archbot init` in the repository to set up "
        "(`git init` first for a new project)\n"
    )
    assert list(plain.iterdir()) == []


def test_base_main_in_a_fresh_clone_names_the_remote_branch(
    repo: GitRepo, tmp_path: Path, run_archbot: RunArchbot, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo.stage("README.md", "# gateway\n")
    repo.commit("init")
    repo.git("checkout", "-q", "-b", "feature")
    repo.stage("llm/health.py", DEFECT)
    repo.commit("health check")
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", "-b", "feature", str(repo.path), str(clone)], check=True)
    monkeypatch.chdir(clone)

    refused = run_archbot("review", "--base", "main")
    advised = run_archbot("review", "--base", "origin/main", "--quiet")
    suffixed = run_archbot("review", "--base", "main~1")

    assert (refused.code, refused.out) == (2, "")
    assert refused.err == (
        "archbot: base ref 'main' is not a local branch; use the remote branch: "
        "archbot review --base origin/main\n"
    )
    assert advised.out.startswith("llm/health.py:3: high [llm-timeout-disabled]")
    assert suffixed.err.endswith("use the remote branch: archbot review --base origin/main~1\n")


@pytest.mark.parametrize(
    ("text", "path"),
    [
        (
            "diff --git a/app/llm.py b/app/llm.py\nindex 1..2 100644\n--- a/app/llm.py\n+++ b/app/llm.py\n",
            "app/llm.py",
        ),
        ("--- a/app/llm.py\n+++ b/app/llm.py", "app/llm.py"),
        (
            "diff --git a/a.py b/a.py\n--- a/a.py\n+++ b/a.py\n@@ -1 +1 @@\n-x\n+y\n"
            "diff --git a/app/new.py b/app/new.py\nnew file mode 100644\n--- /dev/null\n+++ b/app/new.py\n",
            "app/new.py",
        ),
    ],
)
def test_a_diff_cut_off_at_a_file_header_is_an_error_not_an_empty_file(text: str, path: str) -> None:
    with pytest.raises(ArchbotError) as raised:
        diff.parse(text)

    assert (raised.value.exit_code, raised.value.message) == (
        2,
        f"malformed diff: {path} has a ---/+++ header but no @@ hunk (the diff looks cut off)",
    )


def test_removed_and_added_lines_that_look_like_headers_are_hunk_lines() -> None:
    text = "--- a/notes.py\n+++ b/notes.py\n@@ -1,2 +1,2 @@\n--- old\n+++ new\n x\n"

    (changed,) = diff.parse(text)

    assert dict(changed.added_lines) == {1: "++ new"}


def test_binary_files_are_listed_as_skipped(repo: GitRepo, run_archbot: RunArchbot) -> None:
    repo.stage("assets/logo.png", b"\x89PNG\r\n\x1a\n\x00\x00")
    repo.stage("models/head.pt", b"PK\x03\x04\x00weights")
    repo.stage("llm/health.py", DEFECT)

    result = run_archbot("review", "--format", "json")
    markdown = run_archbot("review", "--format", "markdown")

    assert json.loads(result.out)["files"]["skipped"] == [
        {"path": "assets/logo.png", "reason": "binary file"},
        {"path": "models/head.pt", "reason": "binary file"},
    ]
    assert "- skipped `assets/logo.png`: binary file" in markdown.out.splitlines()


def test_the_suppression_meta_rule_is_explained(run_archbot: RunArchbot) -> None:
    result = run_archbot("rules", "suppression-without-reason")

    assert result.code == 0
    lines = result.out.splitlines()
    assert lines[:3] == [
        "suppression-without-reason: Suppression without a reason",
        "severity: low (the default: context can change it, see `archbot rules`)",
        "persona:  any",
    ]
    assert "Write the reason after the bracket: `# archbot: ignore[RULE-ID] reason`. Or fix the" in result.out


def test_rules_list_says_severities_vary_by_context(run_archbot: RunArchbot) -> None:
    result = run_archbot("rules")

    assert re.search(
        r"^suppression-without-reason +low +any +Suppression without a reason$", result.out, re.M
    )
    assert result.out.endswith(
        "The severities are each rule's default; a report can differ by context. A finding can be\n"
        "more or less severe than its rule's default by what it finds (a key with a provider's\n"
        "shape is critical, a token-like literal high), and the config changes a rule's severity\n"
        "(`rules.severity`) or silences it for some paths (`rules.ignore`). Rules marked opt-in check\n"
        "a team's policy rather than a defect: they are off unless `rules.enable` lists them.\n"
        "Explain one rule: archbot rules RULE-ID\n"
    )


def test_readme_names_every_format_and_links_nothing_outside_the_repository() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")

    assert "`--format text|markdown|json|sarif|github`" in readme
    assert "DESIGN.md" not in readme and "../" not in readme
