"""A pull request on the local GitHub server, backed by a real git repository, and the environment
of a GitHub Actions run on it. Shared by the GitHub tests (import the `pull` fixture)."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from archbot.github.event import PullInfo
from conftest import GitRepo
from github_server import BOT_LOGIN, WRITE_TOKEN, GitHubServer

LEAKY_CLIENT = """import requests
from openai import OpenAI

client = OpenAI(api_key="sk-proj-Xk29dLq8vNw3Rt7Yp1Zs6Hc4Bm0Gf5Ja")


def complete(prompt: str) -> str:
    resp = requests.post("http://llm.internal:8000/v1/chat/completions", json={"prompt": prompt})
    return resp.json()["text"]
"""


def leaky_client(n: int) -> str:
    """LEAKY_CLIENT with a key and a server of its own: findings of its own, not the same code as
    another file's (which would be one finding: filter.across_files)."""
    return LEAKY_CLIENT.replace("Gf5Ja", f"Gf{n:03d}").replace("llm.internal", f"llm{n}.internal")


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

# Small waits: a test is bounded by these, never by sleeping. The timeout leaves room for a busy
# machine; the tests of answers that never come set it to one second (STALLING).
FAST = """github:
  timeout_seconds: 10
  retries: 1
  max_wait_seconds: 1
  write_spacing_seconds: 0
"""
STALLING = FAST.replace("timeout_seconds: 10", "timeout_seconds: 1")
# The inline comments the first run posts on the fixture's pull request.
INLINE = [("app/llm.py", 4), ("app/llm.py", 8)]
ACTIONS_VARIABLES = (
    "GITHUB_ACTIONS",
    "GITHUB_EVENT_NAME",
    "GITHUB_OUTPUT",
    "GITHUB_STEP_SUMMARY",
    "GITHUB_SERVER_URL",
    "GITHUB_API_URL",
    "RUNNER_TEMP",
)


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

    def rebase_config(self, text: str) -> None:
        """A new base commit with this .archbot.yml (the feature branch keeps its head)."""
        self.repo.git("checkout", "-q", "main")
        self.repo.write(".archbot.yml", text)
        self.base = self.repo.commit("configure archbot")
        self.repo.git("checkout", "-q", "feature")
        self.server.pulls[7].base = self.base
        self.write_event()

    def info(self) -> PullInfo:
        return PullInfo("acme/service", 7, self.base, self.head, False, "https://github.com/acme/service")

    def bot_comments(self, login: str = BOT_LOGIN) -> list[str]:
        return [c.body for c in self.server.comments[7] if c.login == login]

    def inline(self) -> list[tuple[str, int]]:
        """Every inline comment on the pull request, oldest first (duplicates show twice)."""
        return [(c.path, c.line) for c in sorted(self.server.review_comments[7], key=lambda c: c.id)]


@pytest.fixture
def pull(repo: GitRepo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[PullSetup]:
    repo.write("README.md", "# service\n")
    repo.write(".archbot.yml", FAST)
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
    for name in ACTIONS_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    for name, value in (
        ("GITHUB_EVENT_PATH", str(setup.event)),
        ("GITHUB_REPOSITORY", "acme/service"),
        ("GITHUB_TOKEN", WRITE_TOKEN),
        ("GITHUB_API_URL", server.url),
        ("GITHUB_SERVER_URL", server.url),
        ("GITHUB_WORKSPACE", str(repo.path)),
        ("GITHUB_STEP_SUMMARY", str(setup.summary)),
        ("GITHUB_OUTPUT", str(setup.outputs)),
    ):
        monkeypatch.setenv(name, value)
    with server.running():
        yield setup
