"""`archbot github` and `archbot review --pr` against a local GitHub (real PyGithub, real git over
HTTP) and real git repositories: the everyday runs. Failures and races are in test_github_faults.py."""

from __future__ import annotations

import dataclasses
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest

from anthropic_server import AnthropicServer
from archbot import render
from archbot.cli import personas_from
from archbot.config import Config
from archbot.errors import ArchbotError
from archbot.github import state as state_module
from archbot.github.actions import Progress
from archbot.github.api import Client
from archbot.github.event import PullInfo
from archbot.github.publish import Previous
from archbot.github.run import Reviewed, comment_body, publish_review, review_pull, summary_body
from archbot.masking import Masker
from archbot.models import DiffSource, Finding, PersonaAssignment, Report, Severity, SkippedFile
from archbot.review import PersonaReviewInput, PersonaReviewResult
from github_server import BOT_LOGIN, READ_TOKEN, WRITE_TOKEN
from pull_fixture import AGENT, FAST, INLINE, KEY_FIXED_CLIENT, PullSetup, pull

__all__ = ["pull"]


def test_first_run_creates_one_comment_and_one_inline_review(pull: PullSetup, run_archbot: Any) -> None:
    result = run_archbot("github")

    assert result.code == 1
    (body,) = pull.bot_comments()
    assert body.startswith("<!-- archbot:review -->\n<!-- archbot:state {")
    assert "### 🔴 Critical (1)" in body
    assert f"(https://github.com/acme/service/blob/{pull.head}/app/llm.py#L4)" in body
    (review,) = pull.server.reviews
    assert [(c["path"], c["line"], c["side"]) for c in review["comments"]] == [
        ("app/llm.py", 4, "RIGHT"),
        ("app/llm.py", 8, "RIGHT"),
    ]
    assert review["commit_id"] == pull.head
    first = pull.server.review_comments[7][0].body
    assert first.startswith("🔴 **Provider API key or token in source or config** `hardcoded-llm-api-key`")
    assert first.endswith(" -->") and "<!-- archbot:fp " in first
    lines = result.out.splitlines()
    assert lines[:2] == [
        "::error file=app/llm.py,line=4,endLine=4,title=archbot hardcoded-llm-api-key%3A Provider API key "
        "or token in source or config::" + lines[0].split("::", 2)[2],
        "::warning file=app/llm.py,line=8,endLine=8,title=archbot http-call-no-timeout%3A Plain HTTP call "
        "without a timeout::" + lines[1].split("::", 2)[2],
    ]
    outputs = dict(line.split("=") for line in pull.outputs.read_text().splitlines())
    assert (outputs["critical"], outputs["high"], outputs["cost-usd"]) == ("1", "1", "0.0000")
    assert list(outputs) == ["critical", "high", "medium", "low", "findings", "cost-usd", "published"]
    assert outputs["published"] == "true"
    summary = pull.summary.read_text()
    assert summary.startswith("## archbot review\n") and "archbot:state" not in summary


def test_second_run_edits_the_same_comment_and_posts_nothing_twice(pull: PullSetup, run_archbot: Any) -> None:
    assert run_archbot("github").code == 1
    first_id = pull.server.comments[7][0].id

    assert run_archbot("github").code == 1

    assert [c.id for c in pull.server.comments[7]] == [first_id]
    assert len(pull.server.reviews) == 1 and pull.inline() == INLINE
    assert pull.server.writes("PATCH", "/issues/comments/") == 1


def run_in_process(pull: PullSetup, reviewer: Any) -> Reviewed:
    client = Client(WRITE_TOKEN, pull.server.url)
    outcome = review_pull(
        client,
        pull.info(),
        pull.repo.path,
        pull.repo.path.parent / "scratch",
        None,
        personas_from,
        lambda config: reviewer,
        masker=Masker(),
        progress=Progress.silent(),
    )
    assert isinstance(outcome, Reviewed)
    publish_review(client, outcome, Masker(), Progress.silent())
    return outcome


def test_new_push_reviews_incrementally_and_lists_fixed_findings(pull: PullSetup) -> None:
    seen: list[PersonaReviewInput] = []

    def reviewer(request: PersonaReviewInput) -> PersonaReviewResult:
        """A persona reviewer that flags the agent's missing fallback, like the model would."""
        seen.append(request)
        files = [path for a in request.routing.assignments for path in a.files]
        if "app/agent.py" not in files:
            return PersonaReviewResult()
        finding = Finding(
            rule="llm-no-fallback",
            source="llm",
            persona="llm-ml-engineer",
            severity=Severity.HIGH,
            file="app/agent.py",
            line=10,
            title="No fallback when the provider is down",
            rationale="Every summary fails during a provider outage.",
            suggestion="Catch the API error and fall back to a second model.",
            confidence=0.9,
        )
        return PersonaReviewResult(findings=(finding,))

    first = run_in_process(pull, reviewer)
    assert [(f.rule, f.file, f.line) for f in first.report.findings if f.severity >= Severity.HIGH] == [
        ("hardcoded-llm-api-key", "app/llm.py", 4),
        ("llm-no-fallback", "app/agent.py", 10),
        ("http-call-no-timeout", "app/llm.py", 8),
    ]
    first_head = pull.head
    pull.push({"app/llm.py": KEY_FIXED_CLIENT})

    second = run_in_process(pull, reviewer)

    assert [path for a in seen[-1].routing.assignments for path in a.files] == ["app/llm.py"]
    assert seen[-1].focus == {"app/llm.py": frozenset({1, 2, 6})}
    assert [(f.rule, f.file, f.line) for f in second.report.findings if f.severity >= Severity.HIGH] == [
        ("llm-no-fallback", "app/agent.py", 10),
        ("http-call-no-timeout", "app/llm.py", 10),
    ]
    (body,) = pull.bot_comments()
    assert (
        "### ✅ Fixed since the last review (1)\n\n- `app/llm.py:4` **Provider API key or token in " in body
    )
    assert (
        f"_Persona review covered the changes since `{first_head[:12]}`; "
        "rules re-checked the whole pull request._"
    ) in body
    state = state_module.parse(body)
    assert state is not None and state.head == pull.head and state.pending == frozenset()


def test_a_failed_persona_review_is_owed_and_done_on_the_next_run(pull: PullSetup) -> None:
    calls: list[list[str]] = []

    def failing(request: PersonaReviewInput) -> PersonaReviewResult:
        calls.append([path for a in request.routing.assignments for path in a.files])
        return PersonaReviewResult(usage=dataclasses.replace(PersonaReviewResult().usage, error="overloaded"))

    def working(request: PersonaReviewInput) -> PersonaReviewResult:
        calls.append([path for a in request.routing.assignments for path in a.files])
        return PersonaReviewResult()

    run_in_process(pull, failing)
    state = state_module.parse(pull.bot_comments()[0])
    assert state is not None and state.pending == frozenset({"app/agent.py", "app/llm.py"})

    run_in_process(pull, working)  # the same head: only what is owed is reviewed again

    assert calls == [["app/agent.py", "app/llm.py"], ["app/agent.py", "app/llm.py"]]
    state = state_module.parse(pull.bot_comments()[0])
    assert state is not None and state.pending == frozenset()

    run_in_process(pull, working)  # nothing changed, nothing owed: no call
    assert len(calls) == 2


def test_a_file_the_persona_review_skipped_is_owed_and_reviewed_on_the_next_run(pull: PullSetup) -> None:
    calls: list[list[str]] = []
    over_budget = SkippedFile("app/llm.py", "persona review: over the token budget (llm.max_input_tokens)")

    def skipping(request: PersonaReviewInput) -> PersonaReviewResult:
        calls.append([path for a in request.routing.assignments for path in a.files])
        return PersonaReviewResult(skipped=(over_budget,))

    def working(request: PersonaReviewInput) -> PersonaReviewResult:
        calls.append([path for a in request.routing.assignments for path in a.files])
        return PersonaReviewResult()

    run_in_process(pull, skipping)
    state = state_module.parse(pull.bot_comments()[0])
    assert state is not None and state.pending == frozenset({"app/llm.py"})

    run_in_process(pull, working)  # the same head: only the skipped file is sent

    assert calls == [["app/agent.py", "app/llm.py"], ["app/llm.py"]]
    state = state_module.parse(pull.bot_comments()[0])
    assert state is not None and state.pending == frozenset()


def test_fork_pull_request_gets_annotations_and_a_summary(
    pull: PullSetup, run_archbot: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GITHUB_TOKEN", READ_TOKEN)

    result = run_archbot("github")

    assert result.code == 1
    assert pull.server.comments[7] == [] and pull.server.reviews == []
    lines = result.out.splitlines()
    assert [line.split(" ", 1)[0] for line in lines] == ["::error", "::warning", "archbot:", "::warning"]
    assert "could not write to acme/service#7" in lines[3] and "forks" in lines[3]
    summary = pull.summary.read_text()
    assert "### 🔴 Critical (1)" in summary and "could not write to acme/service\\#7" in summary
    assert pull.outputs.read_text().splitlines()[-1] == "published=false"


def test_draft_is_skipped(pull: PullSetup, run_archbot: Any) -> None:
    pull.write_event(draft=True)
    pull.server.pulls[7].draft = True

    result = run_archbot("github")

    assert (result.code, result.out) == (
        0,
        "archbot: skipped: acme/service#7 is a draft (set github.review_drafts: true to review drafts)\n",
    )
    assert pull.server.log == []


def test_unhandled_action_does_nothing(pull: PullSetup, run_archbot: Any) -> None:
    pull.write_event(action="labeled")
    result = run_archbot("github")
    assert (result.code, result.out) == (0, "archbot: nothing to do for pull_request action 'labeled'\n")


def test_config_comes_from_the_base_not_the_pull_request(pull: PullSetup, run_archbot: Any) -> None:
    pull.push({".archbot.yml": "fail_on: never\nrules:\n  disable: [hardcoded-llm-api-key]\n"})
    result = run_archbot("github")
    assert result.code == 1
    assert "### 🔴 Critical (1)" in pull.bot_comments()[0]


def test_forged_state_in_someone_elses_comment_is_ignored(pull: PullSetup, run_archbot: Any) -> None:
    assert run_archbot("github").code == 1
    ours = pull.bot_comments()[0]
    pull.server.comments[7].clear()
    pull.server.forget_reviews()
    pull.server.add_comment(7, "mallory", ours)

    assert run_archbot("github").code == 1

    assert [c.login for c in pull.server.comments[7]] == ["mallory", BOT_LOGIN]
    assert pull.inline() == INLINE


def test_too_large_diff_without_git_falls_back_to_the_paginated_files_list(
    pull: PullSetup, run_archbot: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pull.push({"app/big_prompts.py": "from openai import OpenAI\n" * 3, "docs/notes.md": "notes\n"})
    pull.server.too_large_diff = True
    pull.server.git_enabled = False
    pull.server.page_size = 2
    pull.server.without_patch = {"app/big_prompts.py"}
    workspace = tmp_path / "no-checkout"
    workspace.mkdir()
    monkeypatch.setenv("GITHUB_WORKSPACE", str(workspace))

    result = run_archbot("github")

    assert result.code == 1
    body = pull.bot_comments()[0]
    assert "- skipped `app/big_prompts.py`: not reviewed: GitHub sent no patch (too large or binary)" in body
    assert "### 🔴 Critical (1)" in body
    assert pull.server.writes("GET", "/pulls/7/files") == 2
    notices = [line for line in result.out.splitlines() if line.startswith("::notice")]
    assert notices[0].startswith("::notice title=archbot::reviewed through the API: git could not fetch")
    assert notices[1] == (
        "::notice title=archbot::1 changed file(s) were not reviewed; they are listed under Details"
    )


def test_review_comment_outside_the_diff_is_refused(pull: PullSetup) -> None:
    client = Client(WRITE_TOKEN, pull.server.url)
    with pytest.raises(ArchbotError, match="422"):
        client.create_review(
            pull.info(), "x", [{"path": "app/llm.py", "line": 99, "side": "RIGHT", "body": "x"}]
        )


def test_review_pr_prints_and_posts_only_with_post(pull: PullSetup, run_archbot: Any) -> None:
    printed = run_archbot("review", "--pr", "acme/service#7", "--quiet")
    assert printed.code == 1
    assert printed.out.splitlines()[:2] == [
        "app/llm.py:4: critical [hardcoded-llm-api-key] Provider API key or token in source or config",
        "app/llm.py:8: high [http-call-no-timeout] Plain HTTP call without a timeout",
    ]
    assert pull.server.comments[7] == []

    posted = run_archbot("review", "--pr", "acme/service#7", "--post", "--format", "markdown")
    assert posted.code == 1
    assert pull.bot_comments() == [posted.out]


def test_review_pr_config_is_a_local_file_that_tunes_github_from_the_first_request(
    pull: PullSetup, run_archbot: Any, tmp_path: Path
) -> None:
    local = tmp_path / "local.yml"
    local.write_text("fail_on: never\ngithub:\n  retries: 1\n  max_wait_seconds: 0\n", encoding="utf-8")
    pull.server.fail("GET", r"/pulls/7$", 502, times=None)

    failed = run_archbot("review", "--pr", "acme/service#7", "--config", str(local))

    assert (failed.code, failed.err) == (
        3,
        "archbot: reading acme/service#7: GitHub answered 502: Server Error\n",
    )
    assert [entry for entry in pull.server.requests("GET") if entry[1].endswith("/pulls/7")] == [
        ("GET", "/repos/acme/service/pulls/7", 502),
        ("GET", "/repos/acme/service/pulls/7", 502),
    ]

    pull.server.faults.clear()
    printed = run_archbot("review", "--pr", "acme/service#7", "--config", str(local), "--quiet")

    # The local config is the review's: fail_on never, where the base's default fails on the key.
    assert printed.code == 0
    assert printed.out.splitlines()[0] == (
        "app/llm.py:4: critical [hardcoded-llm-api-key] Provider API key or token in source or config"
    )


def test_unknown_pull_request_is_one_clear_error(pull: PullSetup, run_archbot: Any) -> None:
    result = run_archbot("review", "--pr", "acme/service#99")
    assert (result.code, result.err) == (
        3,
        "archbot: reading acme/service#99: not found, or the token cannot see it\n",
    )


def test_checkout_without_the_base_fetches_it(
    pull: PullSetup, run_archbot: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pull.repo.git("checkout", "-q", "main")
    pull.repo.write("docs/changelog.md", "- later work on main\n")
    pull.base = pull.repo.commit("main moves on")
    pull.repo.git("checkout", "-q", "feature")
    pull.server.pulls[7].base = pull.base
    pull.write_event()
    clone = tmp_path / "workspace"
    pull.repo.git(
        "clone", "-q", "--no-local", "--single-branch", "--branch", "feature", str(pull.repo.path), str(clone)
    )
    missing = subprocess.run(["git", "cat-file", "-e", f"{pull.base}^{{commit}}"], cwd=clone, check=False)
    assert missing.returncode != 0
    monkeypatch.setenv("GITHUB_WORKSPACE", str(clone))

    assert run_archbot("github").code == 1

    subprocess.run(["git", "cat-file", "-e", f"{pull.base}^{{commit}}"], cwd=clone, check=True)
    assert [path for _, path, _ in pull.server.log if "/contents/" in path or path.endswith("/files")] == []
    assert "### 🔴 Critical (1)" in pull.bot_comments()[0]


def test_base_config_caps_and_disables_inline_comments(pull: PullSetup, run_archbot: Any) -> None:
    pull.rebase_config(FAST + "  max_inline: 1\n")

    assert run_archbot("github").code == 1
    assert pull.inline() == [("app/llm.py", 4)]

    assert run_archbot("github", "--no-inline").code == 1
    assert len(pull.server.reviews) == 1


def test_state_round_trip_and_strict_parsing() -> None:
    finding = Finding("hardcoded-llm-api-key", "rules", "p", Severity.CRITICAL, "a.py", 3, "t", "", "")
    finding = dataclasses.replace(finding, fingerprint="b" * 20)
    good = state_module.line("a" * 40, "c" * 16, ["a.py"], [finding])
    parsed = state_module.parse(f"{render.COMMENT_MARKER}\n{good}\nbody")
    assert parsed == state_module.State("a" * 40, "c" * 16, frozenset({"a.py"}), (finding,))
    assert parsed.owes("a.py") and not parsed.owes("b.py")
    for forged in (
        good.replace("a" * 40, "HEAD"),
        good.replace("b" * 20, "-->"),
        good.replace('"v":3', '"v":2'),
        good[:-4],
    ):
        assert state_module.parse(f"{render.COMMENT_MARKER}\n{forged}\n") is None
    assert state_module.parse(f"hello\n{good}\n") is None
    everything = state_module.line("a" * 40, "c" * 16, None, [])
    assert state_module.parse(f"{render.COMMENT_MARKER}\n{everything}") == state_module.State(
        "a" * 40, "c" * 16, None, ()
    )


def make_clean(pull: PullSetup) -> None:
    """The pull request becomes a documentation change only."""
    pull.repo.git("checkout", "-q", "-B", "feature", pull.base)
    pull.repo.write("docs/usage.md", "# Usage\n")
    pull.head = pull.repo.commit("docs only")
    pull.server.pulls[7].head = pull.head
    pull.write_event()


def test_no_comment_on_a_pull_request_without_ml_changes(pull: PullSetup, run_archbot: Any) -> None:
    make_clean(pull)

    result = run_archbot("github")

    assert result.code == 0 and pull.server.comments[7] == []
    assert [m for m, _, _ in pull.server.log if m != "GET"] == []
    assert "No ML/LLM-related changes" in pull.summary.read_text()


def test_comment_when_clean_and_an_earlier_comment_is_kept_up_to_date(
    pull: PullSetup, run_archbot: Any
) -> None:
    assert run_archbot("github").code == 1
    make_clean(pull)

    assert run_archbot("github").code == 0  # our earlier comment must not keep stale findings

    (body,) = pull.bot_comments()
    assert "No ML/LLM-related changes in this diff" in body and "Critical" not in body

    pull.server.comments[7].clear()
    pull.rebase_config(FAST + "  comment_when_clean: true\n")
    make_clean(pull)
    assert run_archbot("github").code == 0
    assert "No ML/LLM-related changes in this diff" in pull.bot_comments()[0]


def test_actions_log_shows_each_step_as_a_group(
    pull: PullSetup, run_archbot: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GITHUB_ACTIONS", "true")

    result = run_archbot("github")

    steps = [line for line in result.out.splitlines() if line.startswith(("::group::", "::endgroup::"))]
    assert steps == [
        "::group::archbot: reading acme/service#7",
        "::endgroup::",
        "::group::archbot: reviewing",
        "::endgroup::",
        "::group::archbot: publishing to acme/service#7",
        "::endgroup::",
    ]
    assert "archbot: comment written; 2 inline comments posted" in result.out.splitlines()
    assert "archbot: 2 changed file(s); earlier review: none" in result.out.splitlines()


def test_job_summary_holds_the_whole_report_when_the_comment_is_cut() -> None:
    findings = tuple(
        Finding(
            "http-call-no-timeout",
            "rules",
            "llm-ml-engineer",
            Severity.HIGH,
            f"app/module_{n:03d}.py",
            n + 1,
            "Plain HTTP call without a timeout",
            "A hung server holds the worker forever " * 3,
            "Pass timeout=(3, 30).",
            fingerprint=f"{n:020x}",
        )
        for n in range(804)
    )
    personas = (PersonaAssignment("llm-ml-engineer", 3.0, ("app/module_000.py",), ()),)
    report = Report(DiffSource("github"), personas, (), (), findings)
    info = PullInfo("acme/service", 7, "0" * 40, "1" * 40, False, "https://github.com/acme/service")
    reviewed = Reviewed(info, Config(), report, Previous(None, None, None), {}, run="0" * 16)

    comment, summary = comment_body(reviewed), summary_body(reviewed)

    assert len(comment) <= render.MAX_COMMENT_CHARS and "truncated to fit one comment" in comment
    assert comment.count("\n- [`app/module_") < 804
    assert summary.count("\n- [`app/module_") == 804 and "truncated" not in summary


def test_a_persona_finding_on_a_removed_line_goes_inline_on_the_left_side(pull: PullSetup) -> None:
    guarded = AGENT.replace(
        "def summarise(text: str) -> str:\n",
        'def summarise(text: str) -> str:\n    if not text:\n        return ""\n',
    )
    pull.server.pulls[7].base = pull.base = pull.push({"app/agent.py": guarded})
    pull.push({"app/agent.py": AGENT})

    def reviewer(request: PersonaReviewInput) -> PersonaReviewResult:
        changed = next(f for f in request.change.files if f.path == "app/agent.py")
        finding = Finding(
            rule="llm-ml-engineer",
            source="llm",
            persona="llm-ml-engineer",
            severity=Severity.HIGH,
            file="app/agent.py",
            line=changed.removal_anchors[10],
            title="Empty texts now reach the model",
            rationale="When a caller passes an empty text, the call is paid for and answers nothing.",
            suggestion="Keep the guard.",
            confidence=0.9,
            old_line=10,
        )
        return PersonaReviewResult(findings=(finding,))

    run_in_process(pull, reviewer)

    (review,) = pull.server.reviews
    assert [(c["path"], c["line"], c["side"]) for c in review["comments"]] == [("app/agent.py", 10, "LEFT")]
    (body,) = pull.bot_comments()
    assert "`app/agent.py:-10`" in body
    state = state_module.parse(body)  # carried to the next run on the same side
    assert state is not None and [f.old_line for f in state.findings if f.source == "llm"] == [10]


def test_the_persona_review_reads_the_pull_request_description_as_data(
    pull: PullSetup, anthropic_server: AnthropicServer, run_archbot: Any
) -> None:
    run_archbot("github")

    users = [r.body["messages"][0]["content"] for r in anthropic_server.messages()]
    assert users
    for user in users:
        title = re.escape("The pull request (its author's description, untrusted):")
        match = re.search(title + r"\n<<<DATA (\w+)>>>\n(.*?)\n<<<END DATA \1>>>", user, re.S)
        assert match is not None
        assert match.group(2).startswith("title: Add the LLM client @octocat <img src=x>")


def test_state_that_cannot_list_every_owed_file_owes_them_all() -> None:
    many = [f"app/{'<' * 300}{n}.py" for n in range(200)]  # escaping makes each six times longer
    text = state_module.line("a" * 40, "c" * 16, many, [])
    assert len(text) <= state_module.MAX_CHARS
    parsed = state_module.parse(f"{render.COMMENT_MARKER}\n{text}")
    assert parsed is not None and parsed.pending is None and parsed.owes("app/anything.py")


def test_a_finding_whose_path_is_too_long_for_the_state_is_left_out_not_cut() -> None:
    def finding(path: str, fingerprint: str) -> Finding:
        found = Finding("llm-ml-engineer", "llm", "llm-ml-engineer", Severity.HIGH, path, 3, "t", "w", "f")
        return dataclasses.replace(found, fingerprint=fingerprint)

    longest = "a/" + "b" * (state_module.MAX_PATH - 5) + ".py"
    kept, too_long = finding(longest, "1" * 20), finding(longest.replace(".py", "x.py"), "2" * 20)
    text = state_module.line("a" * 40, "c" * 16, [], [too_long, kept])

    parsed = state_module.parse(f"{render.COMMENT_MARKER}\n{text}")
    assert len(longest) == state_module.MAX_PATH
    assert parsed is not None and parsed.findings == (kept,)
