"""What the persona review sends and what it keeps, end to end: a real repository, the real CLI, the
real anthropic SDK talking to the local recording server."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from anthropic_server import AnthropicServer, Recorded, findings
from archbot import prompt
from archbot.models import Finding, Severity
from conftest import GitRepo

BASE = {
    # The team reviews its model pins (an opt-in rule), so the rules have a hint to give.
    ".archbot.yml": "rules:\n  enable: [llm-model-alias-unpinned]\n",
    "app/__init__.py": "",
    "app/settings.py": (
        "class Settings:\n"
        '    """Where the service reads its configuration."""\n'
        "\n"
        '    model = "claude-sonnet-5-5"\n'
        "    max_tokens = 512\n"
        "\n"
        "\n"
        "settings = Settings()\n"
    ),
    "app/clients.py": (
        "import anthropic\n"
        "\n"
        "\n"
        "def build_client() -> anthropic.Anthropic:\n"
        '    """The one Anthropic client of the service."""\n'
        "    return anthropic.Anthropic(timeout=20.0, max_retries=3)\n"
    ),
    "app/prompts.py": (
        "def render_question(question: str, documents: list[str]) -> str:\n"
        '    """Join the retrieved documents and the question into one user message."""\n'
        '    context = "\\n\\n".join(documents)\n'
        '    return f"Context:\\n{context}\\n\\nQuestion: {question}"\n'
    ),
    "app/retry.py": (
        "def backoff(attempt: int) -> float:\n"
        '    """Seconds to wait before the next attempt."""\n'
        "    return min(2**attempt, 30)\n"
    ),
    "app/service.py": (
        "from app.clients import build_client\n"
        "from app.prompts import render_question\n"
        "from app.settings import settings\n"
        "\n"
        "client = build_client()\n"
        "\n"
        "\n"
        "def answer(question: str, documents: list[str]) -> str:\n"
        "    if not question.strip():\n"
        '        raise ValueError("empty question")\n'
        "    reply = client.messages.create(\n"
        "        model=settings.model,\n"
        "        max_tokens=settings.max_tokens,\n"
        '        messages=[{"role": "user", "content": question}],\n'
        "    )\n"
        "    return reply.content[0].text\n"
        "\n"
        "\n"
        "def summarise(texts: list[str]) -> str:\n"
        '    joined = "\\n".join(texts)\n'
        "    reply = client.messages.create(\n"
        "        model=settings.model,\n"
        "        max_tokens=settings.max_tokens,\n"
        '        messages=[{"role": "user", "content": "Summarise:\\n" + joined}],\n'
        "    )\n"
        "    summary = reply.content[0].text\n"
        "    return summary.strip()\n"
    ),
    "app/api.py": (
        "from app.service import answer\n"
        "\n"
        "\n"
        "async def chat(request: dict) -> dict:\n"
        '    return {"answer": answer(request["question"], request.get("documents", []))}\n'
    ),
    "requirements.txt": "anthropic==0.40.0\nfastapi>=0.110\n",
}
SERVICE = (
    "from app.clients import build_client\n"
    "from app.prompts import render_question\n"
    "from app.settings import settings\n"
    "\n"
    "client = build_client()\n"
    "\n"
    "\n"
    "def answer(question: str, documents: list[str]) -> str:\n"
    "    reply = client.messages.create(\n"
    "        model=settings.model,\n"
    "        max_tokens=settings.max_tokens,\n"
    '        messages=[{"role": "user", "content": render_question(question, documents)}],\n'
    "    )\n"
    "    return reply.content[0].text\n"
)
SUMMARY = (
    "import anthropic\n"
    "\n"
    "from app.service import client\n"
    "from app.settings import settings\n"
    "\n"
    "\n"
    "def summarise(texts: list[str]) -> str:\n"
    '    joined = "\\n".join(texts)\n'
    "    reply = client.messages.create(\n"
    "        model=settings.model,\n"
    "        max_tokens=settings.max_tokens * 8,\n"
    '        messages=[{"role": "user", "content": "Summarise:\\n" + joined}],\n'
    "    )\n"
    "    summary = reply.content[0].text\n"
    "    return summary.strip()\n"
)
MORE_SUMMARIES = (
    "\n"
    "\n"
    "def headline(text: str) -> str:\n"
    "    reply = client.messages.create(\n"
    '        model="claude-3-5-haiku-latest", max_tokens=40, messages=[{"role": "user", "content": text}]\n'
    "    )\n"
    "    return reply.content[0].text\n"
    "\n"
    "\n"
    "def tags(text: str) -> str:\n"
    "    reply = client.messages.create(\n"
    '        model="claude-3-5-haiku-latest", max_tokens=40, messages=[{"role": "user", "content": text}]\n'
    "    )\n"
    "    return reply.content[0].text\n"
)
# A test that mocks the client: summarised in the request.
TEST = (
    "from unittest import mock\n"
    "\n"
    "import anthropic\n"
    "\n"
    "from app import service\n"
    "\n"
    "\n"
    "\n"
    "def test_answer_returns_text() -> None:\n"
    "    fake = mock.Mock(spec=anthropic.Anthropic)\n"
    '    fake.messages.create.return_value.content = [mock.Mock(text="hi")]\n'
    '    with mock.patch.object(service, "client", fake):\n'
    '        assert service.answer("q", []) == "hi"\n'
)
GUARD_REMOVED = {
    "file": "app/service.py",
    "line": -9,
    "severity": "high",
    "title": "Empty questions now reach the model",
    "trigger": "a client sends an empty question",
    "failure": "the service pays for a model call and returns a meaningless answer",
    "suggestion": "Keep the `if not question.strip()` guard.",
    "confidence": 0.8,
    "category": "validation",
}
# The senior-ml-systems-architect's lane (async service mechanics), reported by llm-ml-engineer.
CROSS_LANE_CRITICAL = {
    "file": "app/service.py",
    "line": 9,
    "severity": "critical",
    "title": "A blocking model call on the event loop of every chat request",
    "trigger": "two chat requests arrive together",
    "failure": "each waits for the other's model call and the API stalls under load",
    "suggestion": "Use anthropic.AsyncAnthropic in an async answer(), or run it in a thread.",
    "confidence": 0.9,
    "category": "async",
}
UNSURE = {
    "file": "app/summary.py",
    "line": 11,
    "severity": "high",
    "title": "Summaries may run past the context window",
    "trigger": "many long texts are summarised at once",
    "failure": "the API rejects the call and the summary endpoint fails",
    "suggestion": "Cap the joined text before the call.",
    "confidence": 0.55,
    "category": "cost",
}


@pytest.fixture
def change(repo: GitRepo) -> GitRepo:
    for path, text in BASE.items():
        repo.write(path, text)
    repo.commit("base")
    repo.stage("app/service.py", SERVICE)
    repo.stage("app/summary.py", SUMMARY + MORE_SUMMARIES)
    repo.stage("tests/test_service.py", TEST)
    return repo


def review(run_archbot: Any, *args: str) -> tuple[int, dict[str, Any]]:
    result = run_archbot("review", "--format", "json", *args)
    return result.code, json.loads(result.out)


def user_turn(recorded: Recorded) -> str:
    content = recorded.body["messages"][0]["content"]
    assert isinstance(content, str)
    return content


def section(user: str, title: str) -> str:
    """The text inside the DATA block that follows `title:`."""
    match = re.search(re.escape(title) + r"[^\n]*:\n<<<DATA (\w+)>>>\n(.*?)\n<<<END DATA \1>>>", user, re.S)
    assert match is not None, title
    return match.group(2)


def test_the_request_shows_definitions_construction_callers_versions_and_layout(
    change: GitRepo, anthropic_server: AnthropicServer, run_archbot: Any
) -> None:
    # A key-shaped literal in the test: a critical rule finding there, and still no hint.
    key = (
        "sk-ant-api03-"
        + "u8jzPde0IgxLd6GncfBAepfJBd0Kh8oOOL8dKLzdocJ2isAjIhKtJ0RlgLKOmxgJTeKdNnFRIBXu"
        + "DL7DxtpYlSXpfKtHFAA"
    )
    change.stage("tests/test_service.py", TEST.replace("\n\n\ndef", f'\n\nFAKE_KEY = "{key}"\n\n\ndef', 1))
    # The lock file pins what the requirements only bound; a deleted helper and plain code stay out.
    change.stage("uv.lock", 'version = 1\n\n[[package]]\nname = "anthropic"\nversion = "0.40.2"\n')
    change.stage("app/text.py", "def title(words: str) -> str:\n    return words.title()\n")
    change.git("rm", "-q", "app/retry.py")

    code, data = review(run_archbot)

    assert code == 1
    assert [(f["rule"], f["file"]) for f in data["findings"]][:1] == [
        ("hardcoded-llm-api-key", "tests/test_service.py")
    ]

    (sent,) = anthropic_server.messages()
    user = user_turn(sent)
    pack = section(user, "From the repository")
    # The helper a changed line calls, defined in another module, whole.
    assert (
        "--- `app.prompts.render_question`, called by a changed line, app/prompts.py:1\n"
        "def render_question(question: str, documents: list[str]) -> str:\n"
        '    """Join the retrieved documents and the question into one user message."""\n'
    ) in pack
    # How the client a changed line uses was built: through the project factory, in its module.
    assert (
        "--- how `client` is built (anthropic.Anthropic), app/clients.py:6\n"
        "    return anthropic.Anthropic(timeout=20.0, max_retries=3)"
    ) in pack
    # The settings class a changed line reads.
    assert (
        "--- class `app.settings.Settings`, read by a changed line (`settings.model`), app/settings.py:1\n"
        "class Settings:\n"
    ) in pack
    # Callers of the changed public function, with how they run.
    assert (
        "--- callers of `app.service.answer` (changed)\n"
        "app/api.py:5 in `async def app.api.chat`\n"
        '    return {"answer": answer(request["question"], request.get("documents", []))}'
    ) in pack
    # Callers in tests come after the production ones, and say so.
    assert (
        "tests/test_service.py:15 in `def test_service.test_answer_returns_text` (test code)\n"
        '        assert service.answer("q", []) == "hi"'
    ) in pack
    facts = section(user, "Facts about these files")
    assert "tests/test_service.py: role test: test code, never run in production (path tests/)" in facts
    assert "app/service.py: role service: application code that runs in production" in facts
    # The test's critical rule finding is no hint; a rule's two places are one hint.
    assert section(user, "Rule hints") == (
        "H1 app/summary.py [llm-model-alias-unpinned] low: Floating model alias instead of a dated "
        "snapshot (lines 20, 27)"
    )
    assert "app/service.py: changed lines are in `def app.service.answer`" in facts
    assert "library version: anthropic 0.40.2 (uv.lock)" in facts
    assert section(user, "Files of the change not shown here") == (
        "app/retry.py: deleted\napp/text.py: not ML/LLM code (rules only)\nuv.lock: lock file"
    )
    change_text = section(user, "The change")
    # The test in one line, after the code (its critical rule finding does not put it first).
    assert change_text.endswith(
        "\n\nfile: tests/test_service.py (added): test code, 15 lines added, 0 removed; summarised, not shown"
    )
    # Removed lines keep their old numbers, in line order among the new ones.
    assert (
        "     8   def answer(question: str, documents: list[str]) -> str:\n"
        "    -9 -     if not question.strip():\n"
        '   -10 -         raise ValueError("empty question")\n'
        "     9       reply = client.messages.create(\n"
    ) in change_text
    # The moved function: one note, and only its edit.
    assert (
        "         [lines 5-15 moved here from lines -17..-27 of app/service.py: 10 unchanged lines "
        "not shown; the edits inside follow]\n"
        "       -         max_tokens=settings.max_tokens,\n"
        "    11 +         max_tokens=settings.max_tokens * 8,\n"
    ) in change_text
    assert "         [lines -17..-27 moved to lines 5-15 of app/summary.py; shown there]" in change_text
    # Five DATA blocks (facts, repository, files not sent, hints, the change), each its own marker.
    tags = re.findall(r"<<<DATA (\w+)>>>", user)
    assert len(set(tags)) == len(tags) == 5
    assert re.findall(r"<<<END DATA (\w+)>>>", user) == tags


def test_what_comes_back_removed_line_cross_lane_critical_and_an_unsure_finding(
    change: GitRepo, anthropic_server: AnthropicServer, run_archbot: Any
) -> None:
    anthropic_server.script = [findings(GUARD_REMOVED, CROSS_LANE_CRITICAL, UNSURE)]

    code, data = review(run_archbot, "--fail-on", "high")

    reported = [
        (f["file"], f["line"], f.get("old_line"), f["severity"])
        for f in data["findings"]
        if f["source"] == "llm"
    ]
    assert reported == [("app/service.py", 9, None, "critical"), ("app/service.py", 9, 9, "high")]
    (sent,) = anthropic_server.messages()
    system = sent.body["system"][0]["text"]
    assert "always\nreported, whichever reviewer you are" in system
    assert "is still yours to report): caching, queues, async service mechanics" in system
    removed = next(f for f in data["findings"] if f.get("old_line") == 9)
    assert removed["rationale"] == (
        "When a client sends an empty question, the service pays for a model call and returns a "
        "meaningless answer."
    )
    assert [(f["file"], f["line"], f["confidence"]) for f in data["possible"]] == [
        ("app/summary.py", 11, 0.55)
    ]
    assert code == 1

    only_unsure = run_archbot("review", "--fail-on", "high", "--no-llm")
    assert only_unsure.code == 0
    text = run_archbot("review", "--fail-on", "high")
    assert "  app/service.py:-9  Empty questions now reach the model  [llm-ml-engineer]" in text.out
    assert (
        "  app/summary.py:11  Summaries may run past the context window  [llm-ml-engineer, 0.55]" in text.out
    )
    markdown = run_archbot("review", "--format", "markdown").out
    assert "<details><summary>Worth a look (1)</summary>" in markdown
    assert "`app/service.py:-9`" in markdown


def test_an_unsure_finding_alone_never_fails_the_build(
    change: GitRepo, anthropic_server: AnthropicServer, run_archbot: Any
) -> None:
    anthropic_server.script = [findings(UNSURE)]
    code, data = review(run_archbot, "--fail-on", "medium")
    assert [(f["source"], f["severity"]) for f in data["findings"]] == [("rules", "low")]
    assert [f["title"] for f in data["possible"]] == ["Summaries may run past the context window"]
    assert code == 0


def test_second_look_answers_missing_context_once_and_is_cached(
    change: GitRepo, anthropic_server: AnthropicServer, run_archbot: Any
) -> None:
    first = findings(UNSURE)
    first.body["content"][0]["text"] = json.dumps(
        {
            "findings": [UNSURE],
            "summary": "Unsure.",
            "missing_context": ["app.retry.backoff", "callers of summarise"],
        }
    )
    revised = {**UNSURE, "confidence": 0.85, "title": "Summaries run past the context window"}
    again = findings(revised)
    again.body["content"][0]["text"] = json.dumps(
        {"findings": [revised], "summary": "Sure.", "missing_context": ["app.prompts.render_question"]}
    )
    anthropic_server.script = [first, again]

    code, data = review(run_archbot, "--fail-on", "high")

    calls = anthropic_server.messages()
    assert len(calls) == 2
    turns = calls[1].body["messages"]
    assert [t["role"] for t in turns] == ["user", "assistant", "user"]
    assert turns[0]["content"] == user_turn(calls[0])
    assert json.loads(turns[1]["content"])["missing_context"] == ["app.retry.backoff", "callers of summarise"]
    asked = section(turns[2]["content"], "What you asked for")
    first_tags = set(re.findall(r"<<<DATA (\w+)>>>", turns[0]["content"]))
    assert not first_tags & set(re.findall(r"<<<DATA (\w+)>>>", turns[2]["content"]))
    assert asked.startswith(
        "--- `app.retry.backoff`, asked for, app/retry.py:1\ndef backoff(attempt: int) -> float:\n"
    )
    assert [(f["title"], f["confidence"]) for f in data["findings"] if f["source"] == "llm"] == [
        ("Summaries run past the context window", 0.85)
    ]
    assert code == 1

    repeat_code, repeat = review(run_archbot, "--fail-on", "high")
    assert len(anthropic_server.messages()) == 2
    assert (repeat_code, repeat["llm"]["calls"], repeat["findings"]) == (1, 0, data["findings"])


def test_second_look_over_the_cost_cap_is_not_sent(
    change: GitRepo, anthropic_server: AnthropicServer, run_archbot: Any
) -> None:
    # One call's estimate (its input and llm.max_output_tokens of answer) fits the cap; two do not.
    change.stage(".archbot.yml", "llm:\n  max_cost_usd: 0.12\n")
    likely = {**UNSURE, "confidence": 0.65}
    first = findings(likely)
    first.body["content"][0]["text"] = json.dumps(
        {"findings": [likely], "summary": "Unsure.", "missing_context": ["app.retry.backoff"]}
    )
    anthropic_server.script = [first]

    code, data = review(run_archbot, "--fail-on", "high")

    assert len(anthropic_server.messages()) == 1
    assert (
        "second look for llm-ml-engineer not sent: over the cost cap (llm.max_cost_usd 0.12)"
        in data["notices"]
    )
    assert [(f["title"], f["confidence"]) for f in data["findings"] if f["source"] == "llm"] == [
        ("Summaries may run past the context window", 0.65)
    ]
    assert code == 1


def notebook(*cells: tuple[str, list[str]]) -> str:
    return (
        json.dumps(
            {
                "cells": [
                    {"cell_type": kind, "metadata": {}, "source": [f"{line}\n" for line in lines]}
                    | ({"execution_count": None, "outputs": []} if kind == "code" else {})
                    for kind, lines in cells
                ],
                "metadata": {},
                "nbformat": 4,
                "nbformat_minor": 5,
            },
            indent=1,
        )
        + "\n"
    )


def test_notebooks_are_sent_as_code_cells_and_reformatting_as_one_line(
    repo: GitRepo, anthropic_server: AnthropicServer, run_archbot: Any
) -> None:
    intro = ("markdown", ["# Fine-tuning", "Loads the base model."])
    load = (
        "code",
        ["import torch", "from transformers import AutoModel", 'model = AutoModel.from_pretrained("base")'],
    )
    repo.write("train.ipynb", notebook(intro, load))
    repo.write("app/llm.py", "from openai import OpenAI\n\nclient = OpenAI(timeout=30, max_retries=2)\n")
    repo.commit("base")
    edited = ("code", [*load[1][:2], 'model = torch.load("base.pt")'])
    repo.stage("train.ipynb", notebook(intro, edited))
    repo.stage(
        "app/llm.py",
        "from openai import OpenAI\n\nclient = OpenAI(\n    timeout=30,\n    max_retries=2,\n)\n",
    )

    review(run_archbot, "--persona", "ml-architecture-expert")

    (sent,) = anthropic_server.messages()
    change_text = section(user_turn(sent), "The change")
    assert (
        "file: train.ipynb (modified) notebook: code cells only\n"
        "         # cell 1\n"
        "    15   import torch\n"
        "    16   from transformers import AutoModel\n"
        '   -17 - model = AutoModel.from_pretrained("base")\n'
        '    17 + model = torch.load("base.pt")\n'
    ) in change_text
    assert (
        "file: app/llm.py (modified): whitespace and line breaks only (reformatting), 4 lines added, "
        "1 removed; summarised, not shown"
    ) in change_text


def _rule_finding(rule: str, path: str, line: int, severity: Severity, *others: int) -> Finding:
    return Finding(
        rule=rule,
        source="rules",
        persona="llm-ml-engineer",
        severity=severity,
        file=path,
        line=line,
        title=f"{rule} title",
        rationale="Why.",
        suggestion="Fix.",
        places=((line, severity), *((other, severity) for other in others)) if others else (),
    )


def test_hints_follow_the_places_they_point_at_file_then_line() -> None:
    hints = prompt.hints(
        [
            _rule_finding("llm-no-max-tokens", "app/b.py", 30, Severity.MEDIUM, 8),
            _rule_finding("http-call-no-timeout", "app/b.py", 42, Severity.HIGH),
            _rule_finding("hardcoded-llm-api-key", "app/a.py", 12, Severity.CRITICAL),
            _rule_finding("blocking-call-in-async", "app/b.py", 20, Severity.HIGH),
            _rule_finding("http-call-no-timeout", "tests/test_b.py", 3, Severity.HIGH),
        ],
        {"tests/test_b.py": "test"},
    )

    assert prompt.hint_lines(hints) == (
        "H1 app/a.py [hardcoded-llm-api-key] critical: hardcoded-llm-api-key title (line 12)\n"
        "H2 app/b.py [llm-no-max-tokens] medium: llm-no-max-tokens title (lines 8, 30)\n"
        "H3 app/b.py [blocking-call-in-async] high: blocking-call-in-async title (line 20)\n"
        "H4 app/b.py [http-call-no-timeout] high: http-call-no-timeout title (line 42)"
    )
