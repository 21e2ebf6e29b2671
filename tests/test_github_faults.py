"""`archbot github` when GitHub fails the way it does: 5xx, slow answers, rate limits, creates whose
answer is lost, App tokens, huge pull requests, deleted comments, an older run after a newer one,
five runs at once. Each scenario checks the exit code (--fail-on), that the review reached the
annotations and the job summary, that there is at most one archbot comment and no inline comment
twice, and that the run took seconds, not the minutes GitHub asked for (waits are capped by the
base branch's config, set small here: pull_fixture.FAST)."""

from __future__ import annotations

import re
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from archbot.github import state as state_module
from conftest import run_console
from github_server import APP_LOGIN, APP_TOKEN, BOT_LOGIN, PERSONAL_LOGIN, PERSONAL_TOKEN, WRITE_TOKEN
from pull_fixture import INLINE, KEY_FIXED_CLIENT, STALLING, PullSetup, leaky_client, pull

__all__ = ["pull"]

# Seconds: below the shortest wait a fault asks for (60 s; others an hour), and with room for a
# healthy run (1-8 s alone) on a loaded 2-core CI machine, where it takes several times longer.
BOUND = 45.0
EVERY_METHOD = ("GET", "POST", "PATCH", "DELETE")


def run_timed(run_archbot: Any, *args: str) -> tuple[Any, float]:
    started = time.monotonic()
    result = run_archbot("github", *args)
    return result, time.monotonic() - started


def assert_review_kept(pull: PullSetup, out: str) -> None:
    """The annotations and the job summary hold the review whatever happened to publishing."""
    assert out.startswith("::error file=app/llm.py,line=4,endLine=4,title=archbot hardcoded-llm-api-key")
    assert "::warning file=app/llm.py,line=8,endLine=8" in out
    summary = pull.summary.read_text(encoding="utf-8")
    assert "### 🔴 Critical (1)" in summary and "### 🟠 High (1)" in summary
    outputs = pull.outputs.read_text().splitlines()
    assert outputs[:2] == ["critical=1", "high=1"]


def assert_published_once(pull: PullSetup, login: str = BOT_LOGIN) -> None:
    (body,) = pull.bot_comments(login)
    assert "### 🔴 Critical (1)" in body
    assert len(pull.server.comments[7]) == len([c for c in pull.server.comments[7] if c.login != login]) + 1
    assert pull.inline() == INLINE


def assert_published_in_full(pull: PullSetup, critical: int, inline: list[tuple[str, int]]) -> None:
    """One comment, each inline comment once, and the whole review in the summary and the outputs."""
    (body,) = pull.bot_comments()
    assert len(pull.server.comments[7]) == 1 and f"### 🔴 Critical ({critical})" in body
    assert pull.inline() == inline
    assert f"### 🔴 Critical ({critical})" in pull.summary.read_text(encoding="utf-8")
    outputs = pull.outputs.read_text().splitlines()
    assert (outputs[0], outputs[-1]) == (f"critical={critical}", "published=true")


def publish_notices(out: str) -> list[str]:
    return [
        line.removeprefix("::warning title=archbot::")
        for line in out.splitlines()
        if "title=archbot::" in line
    ]


# --- 5xx ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path"),
    [("GET", r"/issues/7/comments$"), ("GET", r"/pulls/7/comments$"), ("GET", r"/pulls/7$")],
)
def test_a_5xx_once_on_a_read_is_retried(pull: PullSetup, run_archbot: Any, method: str, path: str) -> None:
    pull.server.fail(method, path, 502)

    result, elapsed = run_timed(run_archbot)

    assert result.code == 1 and elapsed < BOUND
    assert_review_kept(pull, result.out)
    assert_published_once(pull)
    assert [code for m, p, code in pull.server.log if code == 502] == [502]


def test_a_5xx_once_on_an_edit_is_retried(pull: PullSetup, run_archbot: Any) -> None:
    assert run_archbot("github").code == 1
    pull.server.fail("PATCH", r"/issues/comments/\d+$", 503)

    result, elapsed = run_timed(run_archbot)

    assert result.code == 1 and elapsed < BOUND
    assert_review_kept(pull, result.out)
    assert_published_once(pull)
    assert [code for m, _, code in pull.server.log if m == "PATCH"] == [503, 200]


@pytest.mark.parametrize("path", [r"/issues/7/comments$", r"/pulls/7/reviews$"])
def test_a_5xx_on_a_create_is_looked_up_then_created_once(
    pull: PullSetup, run_archbot: Any, path: str
) -> None:
    pull.server.fail("POST", path, 502)

    result, elapsed = run_timed(run_archbot)

    assert result.code == 1 and elapsed < BOUND
    assert_review_kept(pull, result.out)
    assert_published_once(pull)
    assert [code for m, p, code in pull.server.log if m == "POST"] == (
        [502, 201, 200] if "issues" in path else [201, 502, 200]
    )


@pytest.mark.parametrize(("fail_on", "code"), [("critical", 1), ("never", 0)])
def test_5xx_always_keeps_the_review_and_the_next_run_publishes_it(
    pull: PullSetup, run_archbot: Any, fail_on: str, code: int
) -> None:
    for method in EVERY_METHOD:
        pull.server.fail(method, r"^/repos/", 502, times=None)

    result, elapsed = run_timed(run_archbot, "--fail-on", fail_on)

    assert result.code == code and elapsed < BOUND
    assert_review_kept(pull, result.out)
    assert pull.server.comments[7] == [] and pull.inline() == []
    assert "could not read the earlier review" in result.out
    (notice,) = publish_notices(result.out)[-1:]
    assert notice.startswith("stopped publishing to acme/service#7: ") and "502" in notice
    assert "stopped publishing" in pull.summary.read_text(encoding="utf-8")
    assert pull.outputs.read_text().splitlines()[-1] == "published=false"

    pull.server.faults.clear()
    assert run_archbot("github", "--fail-on", fail_on).code == code
    assert_published_once(pull)


# --- slow answers ------------------------------------------------------------------------------


def test_a_slow_answer_is_retried(pull: PullSetup, run_archbot: Any) -> None:
    pull.rebase_config(STALLING)
    pull.server.fail("GET", r"/issues/7/comments$", "stall")

    result, elapsed = run_timed(run_archbot)

    assert result.code == 1 and elapsed < BOUND
    assert_review_kept(pull, result.out)
    assert_published_once(pull)
    assert [line for line in result.out.splitlines() if line.startswith("::warning title=")] == []


def test_answers_that_never_come_stop_publishing_within_the_timeouts(
    pull: PullSetup, run_archbot: Any
) -> None:
    pull.rebase_config(STALLING)
    pull.server.fail("GET", r"/issues/7/comments$", "stall", times=None)

    result, elapsed = run_timed(run_archbot)

    assert result.code == 1 and elapsed < BOUND
    assert_review_kept(pull, result.out)
    assert pull.server.comments[7] == []
    assert publish_notices(result.out)[-1] == (
        "stopped publishing to acme/service#7: listing the comments of acme/service#7: GitHub did not answer "
        "within 1 s (github.timeout_seconds); the findings are in the annotations and the job summary, and "
        "the next run publishes them"
    )


# --- dropped connections -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path", "codes"),
    [
        # A read is sent again (then the two lookups around creating the comment).
        ("GET", r"/issues/7/comments$", [0, 200, 200, 200]),
        # A create is not: archbot looks for what it may have made (nothing), then creates it once.
        ("POST", r"/issues/7/comments$", [0, 201]),
    ],
)
def test_a_dropped_connection_is_retried_or_looked_up(
    pull: PullSetup, run_archbot: Any, method: str, path: str, codes: list[int]
) -> None:
    pull.server.fail(method, path, "drop")

    result, elapsed = run_timed(run_archbot)

    assert result.code == 1 and elapsed < BOUND
    assert_review_kept(pull, result.out)
    assert_published_once(pull)
    assert [
        code for m, p, code in pull.server.log if m == method and p.endswith("/issues/7/comments")
    ] == codes
    assert [line for line in result.out.splitlines() if line.startswith("::warning title=")] == []


# --- rate limits -------------------------------------------------------------------------------


@pytest.mark.parametrize("status", [403, 429])
def test_a_secondary_rate_limit_with_retry_after_is_waited_out(
    pull: PullSetup, run_archbot: Any, status: int
) -> None:
    pull.server.fail("POST", r"/issues/7/comments$", "secondary", status=status, retry_after=0)

    result, elapsed = run_timed(run_archbot)

    assert result.code == 1 and elapsed < BOUND
    assert_review_kept(pull, result.out)
    assert_published_once(pull)
    assert [code for method, _, code in pull.server.log if method == "POST"] == [status, 201, 200]


@pytest.mark.parametrize("status", [403, 429])
def test_a_secondary_rate_limit_without_retry_after_stops_at_the_wait_budget(
    pull: PullSetup, run_archbot: Any, status: int
) -> None:
    pull.server.fail("POST", r"/issues/7/comments$", "secondary", status=status, retry_after=None)

    result, elapsed = run_timed(run_archbot)

    assert result.code == 1 and elapsed < BOUND
    assert_review_kept(pull, result.out)
    assert pull.server.comments[7] == [] and pull.inline() == []
    assert publish_notices(result.out)[-1].startswith(
        "stopped publishing to acme/service#7: commenting on acme/service#7: "
        "GitHub's rate limit asks to wait 60 s and this run may wait 1 s more (github.max_wait_seconds: 1)"
    )

    assert run_archbot("github").code == 1
    assert_published_once(pull)


def test_the_primary_rate_limit_stops_at_once(pull: PullSetup, run_archbot: Any) -> None:
    for method in EVERY_METHOD:
        pull.server.fail(method, r"^/repos/", "primary", times=None)

    result, elapsed = run_timed(run_archbot, "--fail-on", "high")

    assert result.code == 1 and elapsed < BOUND
    assert_review_kept(pull, result.out)
    assert pull.server.comments[7] == []
    assert re.search(r"asks to wait 36\d\d s", publish_notices(result.out)[-1])
    # One request: the earlier review met the limit; nothing after it asks GitHub again.
    assert [(m, p) for m, p, _ in pull.server.log] == [("GET", "/repos/acme/service/issues/7/comments")]


# --- creates whose answer is lost --------------------------------------------------------------


def test_a_comment_made_but_never_answered_is_found_not_repeated(pull: PullSetup, run_archbot: Any) -> None:
    pull.rebase_config(STALLING)
    pull.server.fail("POST", r"/issues/7/comments$", "commit-then-stall")

    result, elapsed = run_timed(run_archbot)

    assert result.code == 1 and elapsed < BOUND
    assert_review_kept(pull, result.out)
    assert_published_once(pull)
    assert pull.server.writes("POST", "/issues/7/comments") == 1


def test_a_review_made_but_never_answered_is_found_not_repeated(pull: PullSetup, run_archbot: Any) -> None:
    pull.rebase_config(STALLING)
    pull.server.fail("POST", r"/pulls/7/reviews$", "commit-then-stall")

    result, elapsed = run_timed(run_archbot)

    assert result.code == 1 and elapsed < BOUND
    assert_review_kept(pull, result.out)
    assert_published_once(pull)
    assert pull.server.writes("POST", "/pulls/7/reviews") == 1

    assert run_archbot("github").code == 1
    assert_published_once(pull)
    assert pull.server.writes("POST", "/pulls/7/reviews") == 1


# --- identities --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("token", "login", "stranger", "asks_user"),
    [
        # An installation token cannot ask who it is: it learns it from its first comment, and
        # until then a person's comment that copies our marker is not taken for ours.
        (APP_TOKEN, APP_LOGIN, "mallory", False),
        # A personal token knows its login: another bot's copy of our marker is not ours.
        (PERSONAL_TOKEN, PERSONAL_LOGIN, "other-app[bot]", True),
    ],
)
def test_our_comment_is_recognised_by_who_wrote_it(
    pull: PullSetup,
    run_archbot: Any,
    monkeypatch: pytest.MonkeyPatch,
    token: str,
    login: str,
    stranger: str,
    asks_user: bool,
) -> None:
    monkeypatch.setenv("GITHUB_TOKEN", token)
    pull.server.add_comment(7, stranger, "<!-- archbot:review -->\nnot ours")

    assert run_archbot("github").code == 1
    result, elapsed = run_timed(run_archbot)

    assert result.code == 1 and elapsed < BOUND
    assert_review_kept(pull, result.out)
    assert_published_once(pull, login)
    assert [c.login for c in pull.server.comments[7]] == [stranger, login]
    assert any(path == "/user" for _, path, _ in pull.server.log) == asks_user


# --- huge pull requests without a checkout -----------------------------------------------------


# The fixture's inline comments and those on the leaky file a test adds, critical before high.
HUGE_INLINE = [("app/llm.py", 4), ("zz/llm_client.py", 4), ("app/llm.py", 8), ("zz/llm_client.py", 8)]
BIG_FILE_INLINE = [("app/llm.py", 4), ("app/prompts.py", 4), ("app/llm.py", 8), ("app/prompts.py", 8)]


def huge_pull(pull: PullSetup, files: int) -> None:
    for n in range(files - 1):
        pull.repo.write(f"docs/pages/page_{n:04d}.md", f"page {n}\n")
    pull.repo.write("zz/llm_client.py", leaky_client(1))
    pull.head = pull.repo.commit("a huge change")
    pull.server.pulls[7].head = pull.head
    pull.write_event()


@pytest.fixture
def no_checkout(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    workspace = tmp_path / "empty-workspace"
    workspace.mkdir()
    monkeypatch.setenv("GITHUB_WORKSPACE", str(workspace))
    return workspace


def test_3005_files_without_a_checkout_take_a_bounded_number_of_requests(
    pull: PullSetup, run_archbot: Any, no_checkout: Path
) -> None:
    huge_pull(pull, 3003)  # and the fixture's two

    result, elapsed = run_timed(run_archbot)

    assert result.code == 1 and elapsed < 60
    assert "::error file=zz/llm_client.py,line=4," in result.out
    # However many files: the merge base, then what publishing always costs (the earlier review,
    # the head before each write, our comment before and after creating it, the inline comments
    # before and after posting), and the two creates. Not one request per file.
    api = sorted(
        p.removeprefix("/repos/acme/service/").split("/", 2)[0] + f" {m}"
        for m, p, _ in pull.server.log
        if p.startswith("/repos/")
    )
    fetches = [p for _, p, _ in pull.server.log if p.startswith("/acme/service.git/")]
    assert len(fetches) <= 4  # git fetch: the refs, then the pack
    assert api == ["compare GET", *["issues GET"] * 3, "issues POST", *["pulls GET"] * 4, "pulls POST"]
    assert_published_in_full(pull, 2, HUGE_INLINE)


def test_3005_files_without_git_name_what_was_not_reviewed(
    pull: PullSetup, run_archbot: Any, no_checkout: Path
) -> None:
    huge_pull(pull, 3003)
    pull.server.git_enabled = False

    result, elapsed = run_timed(run_archbot, "--fail-on", "never")

    assert result.code == 0 and elapsed < 60
    notices = [line for line in result.out.splitlines() if line.startswith("::notice")]
    assert (
        "::notice title=archbot::5 changed file(s) were not reviewed: GitHub lists at most 3,000 files of a "
        "pull request; check out the repository (actions/checkout with fetch-depth: 0) to review them all"
    ) in notices
    assert pull.server.writes("GET", "/pulls/7/files") == 30
    assert "were not reviewed" in pull.bot_comments()[0]
    assert_published_in_full(pull, 1, INLINE)


def test_a_2_mb_file_without_a_checkout_is_reviewed(
    pull: PullSetup, run_archbot: Any, no_checkout: Path
) -> None:
    padding = "".join(
        f"PROMPT_{n} = 'Summarise the ticket in one sentence, then list the actions.'\n"
        for n in range(26_000)
    )
    pull.push({"app/prompts.py": leaky_client(1) + padding})
    assert len((pull.repo.path / "app/prompts.py").read_bytes()) > 2_000_000

    result, elapsed = run_timed(run_archbot)

    assert result.code == 1 and elapsed < BOUND
    assert "::error file=app/prompts.py,line=4," in result.out
    assert_published_in_full(pull, 2, BIG_FILE_INLINE)


def test_a_2_mb_file_without_git_is_reviewed_from_its_diff_and_named(
    pull: PullSetup, run_archbot: Any, no_checkout: Path
) -> None:
    padding = "".join(
        f"PROMPT_{n} = 'Summarise the ticket in one sentence, then list the actions.'\n"
        for n in range(26_000)
    )
    pull.push({"app/prompts.py": leaky_client(1) + padding})
    pull.server.git_enabled = False

    result, elapsed = run_timed(run_archbot)

    assert result.code == 1 and elapsed < BOUND
    assert "::error file=app/prompts.py,line=4," in result.out
    assert_published_in_full(pull, 2, BIG_FILE_INLINE)
    assert (
        "::notice title=archbot::1 file(s) were reviewed from their diff alone (without a checkout, archbot "
        "reads at most 100 whole files through the API): app/prompts.py"
    ) in result.out.splitlines()


# --- deleted comments, stale runs --------------------------------------------------------------


def test_a_deleted_comment_is_made_again_without_repeating_the_inline_comments(
    pull: PullSetup, run_archbot: Any
) -> None:
    assert run_archbot("github").code == 1
    pull.server.comments[7].clear()

    result, elapsed = run_timed(run_archbot)

    assert result.code == 1 and elapsed < BOUND
    assert_review_kept(pull, result.out)
    assert_published_once(pull)
    assert pull.server.writes("POST", "/pulls/7/reviews") == 1


def test_a_comment_deleted_while_the_run_edits_it_is_made_again(pull: PullSetup, run_archbot: Any) -> None:
    assert run_archbot("github").code == 1
    pull.server.delete_after_lists = 2  # the first listing finds the earlier review, the second edits it

    result, elapsed = run_timed(run_archbot)

    assert result.code == 1 and elapsed < BOUND
    assert_review_kept(pull, result.out)
    assert_published_once(pull)
    assert [code for m, p, code in pull.server.log if m == "PATCH"] == [404]


def test_an_older_run_does_not_overwrite_a_newer_review(pull: PullSetup, run_archbot: Any) -> None:
    old_head = pull.head
    pull.push({"app/llm.py": KEY_FIXED_CLIENT})
    assert run_archbot("github").code == 0
    newer = pull.bot_comments()[0]
    pull.head = old_head
    pull.write_event()

    result, elapsed = run_timed(run_archbot)

    assert result.code == 1 and elapsed < BOUND  # its own findings decide its own check
    assert pull.bot_comments() == [newer]
    state = state_module.parse(newer)
    assert state is not None and state.head == pull.server.pulls[7].head
    assert publish_notices(result.out)[-1] == (
        f"not published: acme/service#7 has moved on to {pull.server.pulls[7].head[:12]} since this run's "
        f"{old_head[:12]}; the run for the newer commit publishes its review"
    )


# --- five runs at once -------------------------------------------------------------------------


def test_five_concurrent_runs_leave_one_comment_and_one_set_of_inline_comments(pull: PullSetup) -> None:
    # Every run creates its comment and posts its review at the same moment: the worst race.
    pull.server.meet("POST", r"/issues/7/comments$", 5)
    pull.server.meet("POST", r"/pulls/7/reviews$", 5)
    codes: list[int] = []

    def run() -> None:
        codes.append(run_console("github", "--fail-on", "never", cwd=pull.repo.path).returncode)

    threads = [threading.Thread(target=run) for _ in range(5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert codes == [0] * 5
    assert len(pull.bot_comments()) == 1 and len(pull.server.comments[7]) == 1
    assert pull.inline() == INLINE
    assert pull.server.writes("POST", "/issues/7/comments") == 5
    assert pull.server.writes("DELETE", "/issues/comments/") == 4


# --- unreachable ---------------------------------------------------------------------------------


def test_an_unreachable_api_is_a_notice_not_an_internal_error(
    pull: PullSetup, run_archbot: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("GITHUB_API_URL", "http://127.0.0.1:9")

    result, elapsed = run_timed(run_archbot)

    assert result.code == 1 and elapsed < BOUND
    assert_review_kept(pull, result.out)
    assert "internal error" not in result.out + result.err
    assert publish_notices(result.out)[-1].startswith(
        "stopped publishing to acme/service#7: listing the comments of acme/service#7: cannot reach the "
        "GitHub API at 127.0.0.1:9 (connection failed)"
    )

    # The local config's retries and wait budget hold from the first request: no wait at all.
    local = tmp_path / "local.yml"
    local.write_text("github:\n  retries: 1\n  max_wait_seconds: 0\n", encoding="utf-8")
    printed = run_archbot("review", "--pr", "acme/service#7", "--config", str(local))
    assert (printed.code, printed.err) == (
        3,
        "archbot: reading acme/service#7: cannot reach the GitHub API at 127.0.0.1:9 (connection failed)\n",
    )


def test_secrets_echoed_by_github_or_the_model_endpoint_are_masked(
    pull: PullSetup, run_archbot: Any, anthropic_server: Any
) -> None:
    from anthropic_server import error

    anthropic_server.default = lambda: error(
        400, "invalid_request_error", "bad header x-api-key: test-key-not-secret"
    )
    pull.server.fail("POST", r"/pulls/7/reviews$", 422, message=f"bad token {WRITE_TOKEN}", times=None)

    result = run_archbot("github", "--llm")

    assert result.code == 1
    everything = result.out + result.err + pull.summary.read_text() + pull.bot_comments()[0]
    assert "test-key-not-secret" not in everything and WRITE_TOKEN not in everything
    assert "[REDACTED:credential]" in result.out
