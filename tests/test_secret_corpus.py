"""Secrets planted in a diff never leave the machine and never appear in any output: not in a request
to the model, not in the PR comment, inline comments, job summary or annotations, not in any
--format. A finding about a secret shows it masked."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pytest

from anthropic_server import AnthropicServer
from archbot import secrets
from conftest import GitRepo
from github_server import BOT_LOGIN, GitHubServer, action_environment
from secret_corpus import CORPUS, PLANTED_FILES, Secret

FORMATS = ("text", "markdown", "json", "sarif", "github")
SENT_TO_MODEL = ("app/settings_keys.py", "deploy/inference.yaml", "Dockerfile", "notebooks/explore.ipynb")


def plant(repo: GitRepo) -> None:
    for path, make in PLANTED_FILES.items():
        repo.write(path, make(CORPUS))


def leaks(text: str, corpus: Iterable[Secret] = CORPUS) -> list[str]:
    return [s.kind for s in corpus if any(hidden in text for hidden in s.hidden)]


def masked(value: str) -> str:
    """The mask form of secrets.mask, spelled out: four characters, an ellipsis, the length."""
    return f"{value[:4]}…({len(value)} chars)"


def test_the_corpus_has_at_least_thirty_distinct_shapes() -> None:
    kinds = [s.kind for s in CORPUS]
    assert len(set(kinds)) == len(kinds) >= 30
    assert len({s.value for s in CORPUS}) == len(CORPUS)


@pytest.mark.parametrize("path", list(PLANTED_FILES))
def test_redaction_covers_every_shape_in_every_file_kind(path: str) -> None:
    text = PLANTED_FILES[path](CORPUS)
    assert leaks(text) == [s.kind for s in CORPUS]

    redacted, count = secrets.redact(text)

    assert leaks(redacted) == []
    assert count >= len(CORPUS)


def test_nothing_planted_reaches_the_model_and_the_finding_is_masked(
    repo: GitRepo, anthropic_server: AnthropicServer, run_archbot: Any
) -> None:
    repo.write("README.md", "# service\n")
    repo.commit("init")
    plant(repo)
    repo.git("add", "-A")

    result = run_archbot("review", "--llm", "--format", "json")

    bodies = [r.body for r in anthropic_server.requests]
    sent = json.dumps(bodies, ensure_ascii=False)
    users = "\n".join(m["content"] for body in bodies for m in body.get("messages", []))
    assert [path for path in SENT_TO_MODEL if f"file: {path} (added)" not in users] == []
    assert "file: .env" not in users
    assert leaks(sent) == [] and leaks(users) == []
    assert leaks(result.out) == []
    data = json.loads(result.out)
    assert data["llm"]["used"] is True
    openai_key = CORPUS[0].value
    line = PLANTED_FILES["app/settings_keys.py"](CORPUS).split("\n").index(f'OPENAI_API_KEY = "{openai_key}"')
    found = [
        f["rationale"]
        for f in data["findings"]
        if (f["rule"], f["file"], f["line"]) == ("hardcoded-llm-api-key", "app/settings_keys.py", line + 1)
    ]
    assert len(found) == 1
    assert found[0].startswith(f"OpenAI API key {masked(openai_key)} on this line.")
    assert masked(openai_key) == "sk-" + openai_key[3] + "…(" + str(len(openai_key)) + " chars)"


@pytest.mark.parametrize("output_format", FORMATS)
def test_no_output_format_shows_a_planted_secret(repo: GitRepo, run_archbot: Any, output_format: str) -> None:
    repo.write("README.md", "# service\n")
    repo.commit("init")
    plant(repo)
    repo.git("add", "-A")

    result = run_archbot("review", "--no-llm", "--format", output_format)

    assert result.code == 1
    assert "hardcoded-llm-api-key" in result.out
    assert leaks(result.out) == [] and leaks(result.err) == []


def test_nothing_planted_is_posted_to_github(
    repo: GitRepo,
    anthropic_server: AnthropicServer,
    run_archbot: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    repo.write("README.md", "# service\n")
    base = repo.commit("init")
    repo.git("checkout", "-q", "-b", "feature")
    plant(repo)
    head = repo.commit("add the inference service")
    server = GitHubServer(repo.path)
    server.open_pull(7, base, head)
    environment = action_environment(server, 7, repo.path, tmp_path)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    summary = Path(environment["GITHUB_STEP_SUMMARY"])

    with server.running():
        result = run_archbot("github", "--llm")

    assert result.code == 1
    (comment,) = [c.body for c in server.comments[7] if c.login == BOT_LOGIN]
    inline = json.dumps(server.reviews, ensure_ascii=False)
    assert "hardcoded-llm-api-key" in comment and "hardcoded-llm-api-key" in inline
    assert result.out.startswith("::error file=")
    assert anthropic_server.messages()
    sent = json.dumps([r.body for r in anthropic_server.requests], ensure_ascii=False)
    for surface in (comment, inline, summary.read_text(encoding="utf-8"), result.out, result.err, sent):
        assert leaks(surface) == []


NOT_SECRETS = {
    "placeholder-short": 'OPENAI_API_KEY = "sk-..."',
    "placeholder-x": 'PLACEHOLDER = OpenAI(api_key="sk-' + "x" * 40 + '")',
    "placeholder-words": 'client = OpenAI(api_key="sk-your-key-here")',
    "environment": 'client = OpenAI(api_key=os.environ["OPENAI_API_KEY"], timeout=30)',
    "sha256": 'WEIGHTS_SHA256 = "' + "9f86d081884c7d65" * 4 + '"',
    "uuid": f'REQUEST_NAMESPACE = "{uuid.UUID(int=0x2F1C_9A4B_77D0_4E21_9C3A_5B6D_7E8F_9012)}"',
    "git-sha": 'REVISION = "' + "3f1c2e9a7b6d5c4e3f2a" * 2 + '"',
}


def test_placeholders_digests_and_env_lookups_are_not_secrets(repo: GitRepo, run_archbot: Any) -> None:
    lines = ["import os", "", "from openai import OpenAI", "", *NOT_SECRETS.values(), ""]
    repo.stage("app/client.py", "\n".join(lines))

    result = run_archbot("review", "--no-llm", "--format", "json")

    rules = [(f["rule"], f["line"]) for f in json.loads(result.out)["findings"]]
    assert [r for r in rules if r[0] == "hardcoded-llm-api-key"] == []
    for name in ("environment", "sha256", "uuid", "git-sha"):
        assert secrets.redact(NOT_SECRETS[name]) == (NOT_SECRETS[name], 0), name


@pytest.mark.parametrize(
    "text",
    [
        "key_" * 50_000,
        "api_key=" * 20_000,
        "name: token\n" * 20_000,
        "ENV token " * 20_000,
        "https://" + "u" * 100_000,
        "x://a:" + "b" * 100_000,
        "eyJ" + "a" * 100_000,
        "-----BEGIN PRIVATE KEY-----\n" * 5_000,
        "name: token\n" + " " * 100_000 + "value",
        " " * 100_000 + "ENV",
    ],
    ids=[
        "keys",
        "assignments",
        "k8s-names",
        "env-lines",
        "url",
        "url-user",
        "jwt-start",
        "pem-starts",
        "k8s-indent",
        "env-indent",
    ],
)
def test_redaction_stays_linear_on_hostile_runs(text: str) -> None:
    """Shapes that made nested quantifiers backtrack cubically; each returns (pytest would hang)."""
    redacted, count = secrets.redact(text)
    assert redacted.count("<secret:") == count
