"""`archbot github` and `archbot review --pr` against a local GitHub REST server (real PyGithub)
and real git repositories."""

from __future__ import annotations

import dataclasses
import json
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from archbot import github as gh
from archbot import render
from archbot.cli import personas_from
from archbot.errors import ArchbotError
from archbot.models import Finding, Severity
from archbot.review import PersonaReviewInput, PersonaReviewResult
from conftest import GitRepo, run_console
from github_server import BOT_LOGIN, READ_TOKEN, WRITE_TOKEN, GitHubServer

LEAKY_CLIENT = """import requests
from openai import OpenAI

client = OpenAI(api_key="sk-proj-Xk29dLq8vNw3Rt7Yp1Zs6Hc4Bm0Gf5Ja")


def complete(prompt: str) -> str:
    resp = requests.post("http://localhost:8000/v1/chat/completions", json={"prompt": prompt})
    return resp.json()["text"]
"""

KEY_FIXED_CLIENT = LEAKY_CLIENT.replace(
    'api_key="sk-proj-Xk29dLq8vNw3Rt7Yp1Zs6Hc4Bm0Gf5Ja"', 'api_key=os.environ["OPENAI_API_KEY"]'
).replace("import requests\n", "import os\n\nimport requests\n")

AGENT = """import os

from openai import OpenAI

MODEL = os.environ.get("SUMMARY_MODEL", "gpt-4o-mini-2024-07-18")
client = OpenAI(timeout=30, max_retries=2)


def summarise(text: str) -> str:
    reply = client.chat.completions.create(
        model=MODEL, max_tokens=300, messages=[{"role": "user", "content": text}]
    )
    return reply.choices[0].message.content or ""
"""


@dataclasses.dataclass
class PullSetup:
    repo: GitRepo
    server: GitHubServer
    base: str
    head: str
    event: Path
    summary: Path
    outputs: Path

    def write_event(self, action: str = "opened", draft: bool = False, number: int = 7) -> None:
        payload = {
            "action": action,
            "number": number,
            "pull_request": {
                "number": number,
                "draft": draft,
                "title": "Add the LLM client @octocat <img src=x>",
                "base": {"sha": self.base, "ref": "main"},
                "head": {"sha": self.head, "ref": "feature"},
            },
            "repository": {"full_name": "acme/service", "html_url": "https://github.com/acme/service"},
        }
        self.event.write_text(json.dumps(payload), encoding="utf-8")

    def push(self, files: dict[str, str]) -> str:
        for path, text in files.items():
            self.repo.write(path, text)
        self.head = self.repo.commit("push")
        self.server.pulls[7].head = self.head
        self.write_event("synchronize")
        return self.head

    def info(self) -> gh.PullInfo:
        return gh.PullInfo("acme/service", 7, self.base, self.head, False, "https://github.com/acme/service")


@pytest.fixture
def pull(repo: GitRepo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[PullSetup]:
    repo.write("README.md", "# service\n")
    base = repo.commit("init")
    repo.git("checkout", "-q", "-b", "feature")
    repo.write("app/llm.py", LEAKY_CLIENT)
    repo.write("app/agent.py", AGENT)
    head = repo.commit("add llm client")
    server = GitHubServer(repo.path)
    server.open_pull(7, base, head)
    setup = PullSetup(
        repo, server, base, head, tmp_path / "event.json", tmp_path / "summary.md", tmp_path / "outputs.txt"
    )
    setup.write_event()
    for name, value in (
        ("GITHUB_EVENT_PATH", str(setup.event)),
        ("GITHUB_REPOSITORY", "acme/service"),
        ("GITHUB_TOKEN", WRITE_TOKEN),
        ("GITHUB_API_URL", server.url),
        ("GITHUB_WORKSPACE", str(repo.path)),
        ("GITHUB_STEP_SUMMARY", str(setup.summary)),
        ("GITHUB_OUTPUT", str(setup.outputs)),
    ):
        monkeypatch.setenv(name, value)
    with server.running():
        yield setup


def bot_comments(server: GitHubServer) -> list[str]:
    return [c.body for c in server.comments[7] if c.login == BOT_LOGIN]


def test_first_run_creates_one_comment_and_one_inline_review(pull: PullSetup, run_archbot) -> None:  # type: ignore[no-untyped-def]
    result = run_archbot("github")

    assert result.code == 1
    (body,) = bot_comments(pull.server)
    assert body.startswith("<!-- archbot:review -->\n<!-- archbot:state {")
    assert "### 🔴 Critical (1)" in body
    assert f"(https://github.com/acme/service/blob/{pull.head}/app/llm.py#L4)" in body
    assert [
        [(c["path"], c["line"], c["side"]) for c in review["comments"]] for review in pull.server.reviews
    ] == [[("app/llm.py", 4, "RIGHT"), ("app/llm.py", 8, "RIGHT")]]
    assert pull.server.reviews[0]["commit_id"] == pull.head
    assert result.out.splitlines()[:2] == [
        "::error file=app/llm.py,line=4,endLine=4,title=archbot hardcoded-llm-api-key%3A Provider API key "
        "or token in source or config::" + result.out.splitlines()[0].split("::", 2)[2],
        "::warning file=app/llm.py,line=8,endLine=8,title=archbot http-call-no-timeout%3A Plain HTTP call "
        "without a timeout::" + result.out.splitlines()[1].split("::", 2)[2],
    ]
    outputs = dict(line.split("=") for line in pull.outputs.read_text().splitlines())
    assert (outputs["critical"], outputs["high"], outputs["cost-usd"]) == ("1", "1", "0.0000")
    assert list(outputs) == ["critical", "high", "medium", "low", "findings", "cost-usd"]
    summary = pull.summary.read_text()
    assert summary.startswith("## archbot review\n") and "archbot:state" not in summary


def test_second_run_edits_the_same_comment_and_posts_nothing_twice(pull: PullSetup, run_archbot) -> None:  # type: ignore[no-untyped-def]
    assert run_archbot("github").code == 1
    first_id = pull.server.comments[7][0].id

    assert run_archbot("github").code == 1

    assert [c.id for c in pull.server.comments[7]] == [first_id]
    assert len(pull.server.reviews) == 1
    assert pull.server.writes("PATCH", "/issues/comments/") == 1


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

    def run() -> gh.Outcome:
        return gh.run(
            gh.Client(WRITE_TOKEN, pull.server.url),
            pull.info(),
            pull.repo.path,
            None,
            personas_from,
            lambda config: reviewer,
            post=True,
        )

    first = run()
    assert first.report is not None
    assert [(f.rule, f.file, f.line) for f in first.report.findings if f.severity >= Severity.HIGH] == [
        ("hardcoded-llm-api-key", "app/llm.py", 4),
        ("llm-no-fallback", "app/agent.py", 10),
        ("http-call-no-timeout", "app/llm.py", 8),
    ]
    first_head = pull.head
    pull.push({"app/llm.py": KEY_FIXED_CLIENT})

    second = run()

    assert [path for a in seen[-1].routing.assignments for path in a.files] == ["app/llm.py"]
    assert seen[-1].focus == {"app/llm.py": frozenset({1, 2, 6})}
    assert second.report is not None
    assert [(f.rule, f.file, f.line) for f in second.report.findings if f.severity >= Severity.HIGH] == [
        ("llm-no-fallback", "app/agent.py", 10),
        ("http-call-no-timeout", "app/llm.py", 10),
    ]
    (body,) = bot_comments(pull.server)
    assert (
        "### ✅ Fixed since the last review (1)\n\n- `app/llm.py:4` **Provider API key or token in " in body
    )
    assert (
        f"_Persona review covered the changes since `{first_head[:12]}`; "
        "rules re-checked the whole pull request._"
    ) in body
    state = gh.parse_state(body)
    assert state is not None and state.head == pull.head


def test_two_concurrent_runs_leave_one_comment(pull: PullSetup) -> None:
    pull.server.comment_list_barrier = threading.Barrier(2)
    env = {"PYTHONUNBUFFERED": "1"}
    results: list[int] = []

    def run() -> None:
        results.append(run_console("github", "--fail-on", "never", cwd=pull.repo.path, env=env).returncode)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert results == [0, 0]
    assert pull.server.writes("POST", "/issues/7/comments") == 2
    assert pull.server.writes("DELETE", "/issues/comments/") == 1
    assert len(bot_comments(pull.server)) == 1


def test_fork_pull_request_gets_annotations_and_a_summary(
    pull: PullSetup,
    run_archbot,
    monkeypatch: pytest.MonkeyPatch,  # type: ignore[no-untyped-def]
) -> None:
    monkeypatch.setenv("GITHUB_TOKEN", READ_TOKEN)

    result = run_archbot("github")

    assert result.code == 1
    assert pull.server.comments[7] == [] and pull.server.reviews == []
    lines = result.out.splitlines()
    assert [line.split(" ", 1)[0] for line in lines] == ["::error", "::warning", "archbot:", "::notice"]
    assert "could not write to acme/service#7" in lines[3] and "forks" in lines[3]
    summary = pull.summary.read_text()
    assert "### 🔴 Critical (1)" in summary and "could not write to acme/service\\#7" in summary


def test_draft_is_skipped(pull: PullSetup, run_archbot) -> None:  # type: ignore[no-untyped-def]
    pull.write_event(draft=True)
    pull.server.pulls[7].draft = True

    result = run_archbot("github")

    assert (result.code, result.out) == (
        0,
        "archbot: skipped: acme/service#7 is a draft (set github.review_drafts: true to review drafts)\n",
    )
    assert pull.server.log == []


def test_unhandled_action_does_nothing(pull: PullSetup, run_archbot) -> None:  # type: ignore[no-untyped-def]
    pull.write_event(action="labeled")
    result = run_archbot("github")
    assert (result.code, result.out) == (0, "archbot: nothing to do for pull_request action 'labeled'\n")


def test_config_comes_from_the_base_not_the_pull_request(pull: PullSetup, run_archbot) -> None:  # type: ignore[no-untyped-def]
    pull.push({".archbot.yml": "fail_on: never\nrules:\n  disable: [hardcoded-llm-api-key]\n"})
    result = run_archbot("github")
    assert result.code == 1
    assert "### 🔴 Critical (1)" in bot_comments(pull.server)[0]


def test_forged_state_in_someone_elses_comment_is_ignored(pull: PullSetup, run_archbot) -> None:  # type: ignore[no-untyped-def]
    assert run_archbot("github").code == 1
    ours = bot_comments(pull.server)[0]
    pull.server.comments[7].clear()
    pull.server.reviews.clear()
    pull.server.add_comment(7, "mallory", ours)

    assert run_archbot("github").code == 1

    assert [c.login for c in pull.server.comments[7]] == ["mallory", BOT_LOGIN]
    assert len(pull.server.reviews) == 1 and len(pull.server.reviews[0]["comments"]) == 2


@pytest.mark.parametrize("status", [403, 429])
def test_secondary_rate_limit_is_retried(pull: PullSetup, run_archbot, status: int) -> None:  # type: ignore[no-untyped-def]
    pull.server.rate_limited_writes = 1
    pull.server.rate_limit_status = status
    assert run_archbot("github").code == 1
    assert len(bot_comments(pull.server)) == 1
    assert [code for method, _, code in pull.server.log if method == "POST"] == [status, 200, 201]


def test_too_large_diff_falls_back_to_the_paginated_files_list(
    pull: PullSetup,
    run_archbot,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,  # type: ignore[no-untyped-def]
) -> None:
    pull.push({"app/big_prompts.py": "from openai import OpenAI\n" * 3, "docs/notes.md": "notes\n"})
    pull.server.too_large_diff = True
    pull.server.page_size = 2
    pull.server.without_patch = {"app/big_prompts.py"}
    workspace = tmp_path / "no-checkout"
    workspace.mkdir()
    monkeypatch.setenv("GITHUB_WORKSPACE", str(workspace))

    assert run_archbot("github").code == 1

    body = bot_comments(pull.server)[0]
    assert "- skipped `app/big_prompts.py`: GitHub sent no patch (too large or binary)" in body
    assert "### 🔴 Critical (1)" in body
    assert pull.server.writes("GET", "/pulls/7/files") == 2


def test_review_comment_outside_the_diff_is_refused(pull: PullSetup) -> None:
    client = gh.Client(WRITE_TOKEN, pull.server.url)
    with pytest.raises(ArchbotError, match="422"):
        client.create_review(
            pull.info(), "x", [{"path": "app/llm.py", "line": 99, "side": "RIGHT", "body": "x"}]
        )


def test_review_pr_prints_and_posts_only_with_post(pull: PullSetup, run_archbot) -> None:  # type: ignore[no-untyped-def]
    printed = run_archbot("review", "--pr", "acme/service#7", "--quiet")
    assert printed.code == 1
    assert printed.out.splitlines()[:2] == [
        "app/llm.py:4: critical [hardcoded-llm-api-key] Provider API key or token in source or config",
        "app/llm.py:8: high [http-call-no-timeout] Plain HTTP call without a timeout",
    ]
    assert pull.server.comments[7] == []

    posted = run_archbot("review", "--pr", "acme/service#7", "--post", "--format", "markdown")
    assert posted.code == 1
    assert bot_comments(pull.server) == [posted.out]


def test_unknown_pull_request_is_one_clear_error(pull: PullSetup, run_archbot) -> None:  # type: ignore[no-untyped-def]
    result = run_archbot("review", "--pr", "acme/service#99")
    assert (result.code, result.err) == (
        3,
        "archbot: reading acme/service#99: not found, or the token cannot see it\n",
    )


def test_state_block_validation() -> None:
    good = gh.state_line("a" * 40, [], frozenset({"b" * 20}))
    assert gh.parse_state(f"{render.COMMENT_MARKER}\n{good}\nbody") == gh.State(
        "a" * 40, (), frozenset({"b" * 20})
    )
    for forged in (
        good.replace("a" * 40, "HEAD"),
        good.replace("b" * 20, "-->"),
        good.replace('"v":1', '"v":2'),
        good[:-4],
    ):
        assert gh.parse_state(f"{render.COMMENT_MARKER}\n{forged}\n") is None
    assert gh.parse_state(f"hello\n{good}\n") is None


def test_checkout_without_the_base_fetches_it(
    pull: PullSetup,
    run_archbot,  # type: ignore[no-untyped-def]
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
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
    assert pull.server.writes("GET", "/pulls/7") == 0
    assert "### 🔴 Critical (1)" in bot_comments(pull.server)[0]


def test_base_config_caps_and_disables_inline_comments(pull: PullSetup, run_archbot) -> None:  # type: ignore[no-untyped-def]
    pull.repo.git("checkout", "-q", "main")
    pull.repo.write(".archbot.yml", "github:\n  max_inline: 1\n")
    pull.base = pull.repo.commit("configure archbot")
    pull.repo.git("checkout", "-q", "feature")
    pull.server.pulls[7].base = pull.base
    pull.write_event()

    assert run_archbot("github").code == 1
    assert [[(c["path"], c["line"]) for c in r["comments"]] for r in pull.server.reviews] == [
        [("app/llm.py", 4)]
    ]

    assert run_archbot("github", "--no-inline").code == 1
    assert len(pull.server.reviews) == 1
