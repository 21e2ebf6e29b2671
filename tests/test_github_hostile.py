"""A pull request that works against its own review: suppressions it adds, findings that would
overflow the state, invisible characters, and the event that would hand it our secrets."""

from __future__ import annotations

import logging
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from archbot import render
from archbot.github import state as state_module
from pull_fixture import FAST, LEAKY_CLIENT, PullSetup, leaky_client, pull

__all__ = ["pull"]

SILENCED = LEAKY_CLIENT.replace(
    'client = OpenAI(api_key="sk-proj-Xk29dLq8vNw3Rt7Yp1Zs6Hc4Bm0Gf5Ja")',
    'client = OpenAI(api_key="sk-proj-Xk29dLq8vNw3Rt7Yp1Zs6Hc4Bm0Gf5Ja")  # archbot: ignore[*] anything',
)


def test_suppressions_the_pull_request_adds_are_reported(pull: PullSetup, run_archbot: Any) -> None:
    pull.push({"app/llm.py": SILENCED})

    result = run_archbot("github")

    assert result.code == 0  # honoured: the critical finding no longer fails the check
    (body,) = pull.bot_comments()
    assert (
        "### 🔕 Suppressions this pull request adds (1)\n\n"
        "- `app/llm.py:4` `# archbot: ignore[*]` silences `hardcoded-llm-api-key` (critical): "
        "**Provider API key or token in source or config** — reason: anything\n"
    ) in body
    assert "### 🔴 Critical" not in body
    assert "### 🔕 Suppressions this pull request adds (1)" in pull.summary.read_text()


def test_suppressions_added_by_the_pull_request_can_be_ignored(pull: PullSetup, run_archbot: Any) -> None:
    pull.rebase_config(FAST + "  pr_suppressions: ignore\n")
    pull.push({"app/llm.py": SILENCED})

    result = run_archbot("github")

    assert result.code == 1
    (body,) = pull.bot_comments()
    assert "### 🔴 Critical (1)" in body and "Suppressions this pull request adds" not in body
    assert (
        "- notice: not honoured (github.pr\\_suppressions: ignore): 1 suppression this pull request adds\n"
    ) in body


def test_suppressions_can_be_honoured_silently(pull: PullSetup, run_archbot: Any) -> None:
    pull.rebase_config(FAST + "  pr_suppressions: honor\n")
    pull.push({"app/llm.py": SILENCED})

    assert run_archbot("github").code == 0
    assert "Suppressions" not in pull.bot_comments()[0]


def test_findings_that_would_overflow_the_state_still_get_a_readable_comment(
    pull: PullSetup, run_archbot: Any
) -> None:
    # 120 files, each with a critical finding, named so that escaping multiplies their length.
    files = {f"app/{'<>&' * 50}_{n:03d}.py": leaky_client(n) for n in range(120)}
    pull.push(files)

    result = run_archbot("github")

    assert result.code == 1
    (body,) = pull.bot_comments()
    assert len(body) <= render.MAX_COMMENT_CHARS
    state_line = body.split("\n")[1]
    assert len(state_line) <= state_module.MAX_CHARS
    state = state_module.parse(body)
    assert state is not None and state.head == pull.head and 0 < len(state.findings) < 121
    assert "### 🔴 Critical (121)" in body
    assert f"[`app/{'<>&' * 50}_000.py:4`](https://github.com/acme/service/blob/{pull.head}/app/" in body
    summary = pull.summary.read_text()
    # The summary is the whole report, not the cut comment.
    assert len(re.findall(r"^- \[`app/.*?\.py:4`\]", summary, re.M)) == 121


def test_invisible_and_direction_changing_characters_are_shown_not_obeyed(
    pull: PullSetup, run_archbot: Any
) -> None:
    pull.push({"app/llm\u202egnp.py": LEAKY_CLIENT, "app/zero\u200bwidth.py": LEAKY_CLIENT})

    assert run_archbot("github").code == 1

    body = pull.bot_comments()[0]
    inline = "".join(c.body for c in pull.server.review_comments[7])
    summary = pull.summary.read_text()
    for text in (body, inline, summary):
        assert "\u202e" not in text
    assert "`app/llm<U+202E>gnp.py:4`" in body and "`app/zero<U+200B>width.py:4`" in body


@pytest.mark.parametrize("allowed", [False, True])
def test_pull_request_target_is_refused_unless_the_base_opts_in(
    pull: PullSetup, run_archbot: Any, monkeypatch: pytest.MonkeyPatch, allowed: bool
) -> None:
    if allowed:
        pull.rebase_config(FAST + "  allow_pull_request_target: true\n")
    monkeypatch.setenv("GITHUB_EVENT_NAME", "pull_request_target")

    result = run_archbot("github")

    if allowed:
        assert result.code == 1 and len(pull.bot_comments()) == 1
        return
    assert result.code == 2 and pull.server.comments[7] == []
    assert result.err.startswith(
        "archbot: refusing to run on pull_request_target: that event gives the workflow a write token and "
        "the repository's secrets while the pull request may come from a fork"
    )
    assert "github.allow_pull_request_target: true" in result.err


def test_other_events_are_a_workflow_mistake(
    pull: PullSetup, run_archbot: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GITHUB_EVENT_NAME", "issue_comment")
    result = run_archbot("github")
    assert (result.code, result.err) == (
        2,
        "archbot: archbot github runs on pull_request events, not 'issue_comment': use `on: pull_request` "
        "in the workflow (see `archbot init`)\n",
    )


def test_code_in_the_checkout_is_not_imported_in_archbots_place(pull: PullSetup, tmp_path: Path) -> None:
    marker = tmp_path / "imported"
    # A pull request's module named like one of archbot's dependencies, at the checkout's root.
    pull.repo.write("click.py", f"open({str(marker)!r}, 'w').close()\nraise SystemExit(9)\n")
    python = str(Path(sys.executable))

    unsafe = subprocess.run([python, "-m", "archbot", "github"], cwd=pull.repo.path, capture_output=True)
    assert unsafe.returncode == 9 and marker.exists()  # what `python -m` without -I would do
    marker.unlink()

    isolated = subprocess.run(
        [python, "-I", "-m", "archbot", "github"], cwd=pull.repo.path, capture_output=True
    )
    assert isolated.returncode == 1 and not marker.exists()
    assert len(pull.bot_comments()) == 1


def test_markdown_escaping_is_linear_in_field_length() -> None:
    # Each shape made one regex scan per position before: a megabyte took hours. Now it is one pass.
    for shape in ("a", "a.", "a@", "ab:", "x-", "\u202e"):
        field = shape * (1_000_000 // len(shape))
        escaped = render.md_text(field)
        assert len(escaped) >= len(field) // 2
    assert render.md_text("a@b " * 3) == "a@\u200bb a@\u200bb a@\u200bb"


def test_library_logs_stay_out_of_the_run(
    pull: PullSetup, run_archbot: Any, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    monkeypatch.setenv("GITHUB_TOKEN", "ghp_personal_token_for_tests")
    pull.server.fail("GET", r"^/user$", 403)  # like an Actions token asked for its user
    pull.server.fail("GET", r"/issues/7/comments$", 502)

    assert run_archbot("github").code == 1

    assert [r.name for r in caplog.records if r.name.startswith(("github", "urllib3"))] == []
    assert "GET /user" not in caplog.text
