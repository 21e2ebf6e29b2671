"""Persona review end to end: the real anthropic SDK talking to a local recording server."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from anthropic_server import AnthropicServer, Reply, error, findings, message, tool_findings
from conftest import GitRepo

CLIENT = """import os

from openai import OpenAI

client = OpenAI(api_key=os.environ["OPENAI_API_KEY"], timeout=30)


def answer(question: str) -> str:
    reply = client.chat.completions.create(
        model="gpt-4o-2024-08-06", max_tokens=512, messages=[{"role": "user", "content": question}]
    )
    return reply.choices[0].message.content
"""
# A healthy local answer never nears the timeout, even on a loaded CI machine; the test of a call
# that never answers sets its own one second.
CONFIG = "llm:\n  timeout_seconds: 10\n  max_retries: 1\n  max_retry_wait_seconds: 5\n"
NO_FALLBACK = {
    "file": "app/llm.py",
    "line": 9,
    "severity": "high",
    "title": "No fallback when the provider fails",
    "trigger": "the provider has an outage",
    "failure": "every request returns 500",
    "suggestion": "Catch openai.APIError and fall back to a secondary model.",
    "confidence": 0.9,
    "category": "fallback",
}


def staged(repo: GitRepo, config: str = CONFIG, **files: str) -> None:
    repo.stage(".archbot.yml", config)
    repo.commit("config")
    repo.stage("app/llm.py", CLIENT)
    for path, text in files.items():
        repo.stage(path.replace("__", "/"), text)


def report(run_archbot: Any, *args: str) -> tuple[int, dict[str, Any]]:
    result = run_archbot("review", "--format", "json", *args)
    return result.code, json.loads(result.out)


def test_persona_prompt_and_findings_then_cache(
    repo: GitRepo, anthropic_server: AnthropicServer, run_archbot: Any
) -> None:
    staged(repo)
    outside = {**NO_FALLBACK, "line": 40, "title": "Somewhere else"}
    anthropic_server.script = [findings(NO_FALLBACK, outside)]

    code, data = report(run_archbot, "--fail-on", "high")

    (sent,) = anthropic_server.messages()
    (system,) = sent.body["system"]
    assert system["cache_control"] == {"type": "ephemeral"}
    assert system["text"].startswith("# LLM/ML Engineer — review duty")
    assert "# Review protocol (archbot 3)" in system["text"]
    assert "at most 10 findings" in system["text"]
    assert sent.body["output_config"]["format"]["type"] == "json_schema"
    user = sent.body["messages"][0]["content"]
    assert "\n     9 +     reply = client.chat.completions.create(\n" in user
    assert "file: app/llm.py (added)\n     1 + import os\n" in user
    assert code == 1
    assert [(f["rule"], f["line"], f["severity"]) for f in llm_findings(data)] == [
        ("llm-ml-engineer", 9, "high")
    ]
    assert "1 persona finding(s) pointed outside the diff and were dropped" in data["notices"]
    assert data["llm"] == {
        "used": True,
        "model": "claude-sonnet-5-5",
        "calls": 1,
        "input_tokens": 1200,
        "output_tokens": 150,
        "cache_read_tokens": 0,
        "cost_usd": 0.0039,
        "cached": False,
        "error": None,
    }

    first = len(anthropic_server.requests)
    again_code, again = report(run_archbot, "--fail-on", "high")
    # Not a count either: the tokens each request was planned with are kept beside the answers.
    assert anthropic_server.requests[first:] == []
    assert (again_code, again["llm"]["calls"], again["llm"]["cached"]) == (1, 0, True)
    assert again["findings"] == data["findings"]


def llm_findings(data: dict[str, Any]) -> list[dict[str, Any]]:
    return [f for f in data["findings"] if f["source"] == "llm"]


def test_text_footer_shows_model_calls_tokens_cost(
    repo: GitRepo, anthropic_server: AnthropicServer, run_archbot: Any
) -> None:
    staged(repo)
    anthropic_server.script = [findings(NO_FALLBACK)]
    result = run_archbot("review")
    assert result.code == 0
    assert "  app/llm.py:9  No fallback when the provider fails  [llm-ml-engineer]" in result.out
    assert "persona review: claude-sonnet-5-5, 1 call, 1200 in / 150 out tokens, $0.0039" in result.out


PLANTED = {
    "openai": "sk-proj-" + "Ab3dxXQuVesOgOZ1TvZVVAxhPRxs" * 2,
    "anthropic": "sk-ant-api03-" + "x7Y" * 31 + "AA",
    "huggingface": "hf_" + "QwErTyUiOpAsDfGhJkLzXcVbNmQwErTyUi",
    "aws": "AKIA" + "Q7W3E9R2T5Y8U1I4",
    "github": "ghp_" + "a1B2NhYTKquoRAYd5uAsK4ksARhBdyAFY5bQ",
    "slack": "xoxb-" + "2847561930-Hq8Zt3Lw9Xk2",
    "assigned": "Zx81kLmQ2pWvT7rB9sQ4",
}


def test_secrets_are_redacted_and_secret_files_never_sent(
    repo: GitRepo, anthropic_server: AnthropicServer, run_archbot: Any
) -> None:
    lines = [f'KEY_{i} = "{value}"' for i, value in enumerate(PLANTED.values()) if i < 6]
    lines.append(f'db_password = "{PLANTED["assigned"]}"')
    staged(repo, **{"app__keys.py": "import openai\n\n" + "\n".join(lines) + "\n"})
    repo.stage(".env", f"OPENAI_API_KEY={PLANTED['openai']}\n")
    repo.stage("app/server.key", "-----BEGIN PRIVATE KEY-----\nMIIEvQ\n-----END PRIVATE KEY-----\n")

    result = run_archbot("review", "--format", "markdown")

    everything = json.dumps([r.body for r in anthropic_server.requests])
    assert anthropic_server.messages()
    for name, value in PLANTED.items():
        assert value not in everything, name
    user = anthropic_server.messages()[0].body["messages"][0]["content"]
    # Each secret as a typed placeholder; names (the variable, os.environ's key) left as they are.
    assert (
        '     3 + KEY_0 = "<secret:openai-key, 64 chars>"\n'
        '     4 + KEY_1 = "<secret:anthropic-api-key, 108 chars>"\n'
        '     5 + KEY_2 = "<secret:huggingface-access-token, 37 chars>"\n'
        '     6 + KEY_3 = "<secret:aws-access-key-id, 20 chars>"\n'
        '     7 + KEY_4 = "<secret:github-token, 40 chars>"\n'
        '     8 + KEY_5 = "<secret:slack-token, 28 chars>"\n'
        '     9 + db_password = "<secret:credential, 20 chars>"\n'
    ) in user
    assert '     5 + client = OpenAI(api_key=os.environ["OPENAI_API_KEY"], timeout=30)\n' in user
    assert "file: .env" not in everything and "file: app/server.key" not in everything
    assert "BEGIN PRIVATE KEY" not in everything
    assert "- 7 secrets redacted before the persona review" in result.out


def test_invalid_json_twice_becomes_a_notice(
    repo: GitRepo, anthropic_server: AnthropicServer, run_archbot: Any
) -> None:
    staged(repo)
    anthropic_server.script = [message("not json"), message('{"findings": "nope"}')]
    code, data = report(run_archbot)
    assert len(anthropic_server.messages()) == 2
    assert code == 0
    assert llm_findings(data) == []
    assert data["llm"]["error"] == "the model's answers did not match the findings schema"
    assert data["notices"] == [
        "llm-ml-engineer: the model's answer did not match the findings schema twice (expected an object "
        "with 'findings', 'summary' and optionally 'missing_context'); no persona findings for app/llm.py. "
        "Run again, or try another llm.model."
    ]


def test_429_with_retry_after_is_retried(
    repo: GitRepo, anthropic_server: AnthropicServer, run_archbot: Any
) -> None:
    staged(repo)
    anthropic_server.script = [
        error(429, "rate_limit_error", "slow down", {"retry-after": "0"}),
        findings(NO_FALLBACK),
    ]
    code, data = report(run_archbot)
    assert len(anthropic_server.messages()) == 2
    assert [f["line"] for f in data["findings"] if f["source"] == "llm"] == [9]
    assert (code, data["llm"]["calls"], data["llm"]["error"]) == (0, 2, None)


def test_retry_after_longer_than_allowed_gives_up(
    repo: GitRepo, anthropic_server: AnthropicServer, run_archbot: Any
) -> None:
    staged(repo)
    anthropic_server.script = [error(429, "rate_limit_error", "slow down", {"retry-after": "3600"})]
    code, data = report(run_archbot)
    assert len(anthropic_server.messages()) == 1
    assert code == 0
    assert data["notices"] == [
        "the API answered 429 and asked to wait 3600 s, longer than llm.max_retry_wait_seconds (5): "
        "try again later"
    ]


@pytest.mark.parametrize(
    ("reply", "notice", "error_text", "requests"),
    [
        (
            error(529, "overloaded_error", "Overloaded"),
            "the Anthropic API is overloaded (529) after 1 retries: try again later",
            "the API was overloaded (529)",
            2,
        ),
        (
            error(401, "authentication_error", "invalid x-api-key"),
            "the API rejected the key (401): check ANTHROPIC_API_KEY; rules only",
            "the API rejected the key (401)",
            1,
        ),
        (
            error(404, "not_found_error", "model: claude-sonnet-5-5"),
            "model claude-sonnet-5-5 not found at the endpoint (404): set llm.model to a model it serves",
            "the model was not found at the endpoint (404)",
            1,
        ),
    ],
)
def test_api_failures_degrade_to_rules(
    repo: GitRepo,
    anthropic_server: AnthropicServer,
    run_archbot: Any,
    reply: Reply,
    notice: str,
    error_text: str,
    requests: int,
) -> None:
    staged(repo)
    anthropic_server.default = lambda: reply
    code, data = report(run_archbot)
    assert len(anthropic_server.messages()) == requests
    assert (code, data["notices"], data["llm"]["error"]) == (0, [notice], error_text)


def test_slow_response_times_out(repo: GitRepo, anthropic_server: AnthropicServer, run_archbot: Any) -> None:
    staged(repo, config="llm:\n  timeout_seconds: 1\n  max_retries: 0\n")
    slow = findings(NO_FALLBACK)
    slow.hold = anthropic_server.release
    anthropic_server.script = [slow]
    code, data = report(run_archbot)
    assert (code, llm_findings(data), data["llm"]["error"]) == (0, [], "a call timed out")
    assert data["notices"] == [
        "a call timed out after 1 s: raise llm.timeout_seconds or lower llm.max_call_tokens"
    ]


def test_unsupported_structured_output_falls_back_to_tool_use(
    repo: GitRepo, anthropic_server: AnthropicServer, run_archbot: Any
) -> None:
    staged(repo)
    anthropic_server.script = [
        error(400, "invalid_request_error", "output_config.format: structured output is not supported"),
        tool_findings(NO_FALLBACK),
    ]
    code, data = report(run_archbot)
    first, second = anthropic_server.messages()
    assert "output_config" in first.body and "tools" not in first.body
    assert second.body["tool_choice"] == {"type": "tool", "name": "report_findings"}
    assert "output_config" not in second.body
    assert [(f["line"], f["title"]) for f in llm_findings(data)] == [
        (9, "No fallback when the provider fails")
    ]
    assert code == 0


def test_budget_skips_lowest_scoring_file_and_names_it(
    repo: GitRepo, anthropic_server: AnthropicServer, run_archbot: Any
) -> None:
    padding = "".join(
        f"# note {i}: {'the retry policy is documented in the runbook ' * 2}\n" for i in range(250)
    )
    staged(
        repo,
        config="llm:\n  max_input_tokens: 8000\n  max_call_tokens: 20000\n",
        **{"app__notes.py": "import openai\n" + padding},
    )
    code, data = report(run_archbot)
    sent = json.dumps([r.body for r in anthropic_server.messages()])
    assert "file: app/llm.py" in sent and "file: app/notes.py" not in sent
    assert "app/notes.py: persona review: over the input token budget" in sent
    counted = [r for r in anthropic_server.requests if r.path == "/v1/messages/count_tokens"]
    assert counted
    assert {
        "path": "app/notes.py",
        "reason": "persona review: over the input token budget (llm.max_input_tokens 8000)",
    } in data["files"]["skipped"]
    assert code == 0


@pytest.mark.parametrize(
    "limits",
    [
        pytest.param("max_cost_usd: 0.12", id="cost-cap"),
        pytest.param("max_input_tokens: 16000", id="input-budget"),
    ],
)
def test_repeat_of_a_review_cut_by_the_budget_makes_no_call_and_reports_the_same(
    repo: GitRepo, anthropic_server: AnthropicServer, run_archbot: Any, limits: str
) -> None:
    # Two calls' worth (the per-call limit keeps the files apart); the limit lets only the first through.
    padding = "".join(f"# step {i}: {'retry the provider call with backoff ' * 2}\n" for i in range(300))
    staged(
        repo,
        config=f"llm:\n  max_call_tokens: 20000\n  {limits}\n",
        **{"app__llm.py": CLIENT + padding, "app__other.py": CLIENT.replace("answer", "other") + padding},
    )
    anthropic_server.script = [findings(NO_FALLBACK)]

    code, data = report(run_archbot, "--fail-on", "high")
    assert len(anthropic_server.messages()) == 1
    assert [s["path"] for s in data["files"]["skipped"] if "persona review" in s["reason"]] == [
        "app/other.py"
    ]

    counted = [r for r in anthropic_server.requests if r.path == "/v1/messages/count_tokens"]
    assert len(counted) >= 2
    first = len(anthropic_server.requests)
    again_code, again = report(run_archbot, "--fail-on", "high")
    assert anthropic_server.requests[first:] == []
    assert (again_code, again["llm"]["calls"], again["llm"]["cached"]) == (code, 0, True)
    assert (again["findings"], again["notices"], again["files"]) == (
        data["findings"],
        data["notices"],
        data["files"],
    )


def test_repeat_on_an_endpoint_without_token_counting_sends_nothing(
    repo: GitRepo, anthropic_server: AnthropicServer, run_archbot: Any
) -> None:
    staged(repo)
    anthropic_server.count_tokens = False
    anthropic_server.script = [findings(NO_FALLBACK)]

    code, data = report(run_archbot, "--fail-on", "high")
    assert [r.path for r in anthropic_server.requests] == ["/v1/messages/count_tokens", "/v1/messages"]

    again_code, again = report(run_archbot, "--fail-on", "high")
    assert [r.path for r in anthropic_server.requests] == ["/v1/messages/count_tokens", "/v1/messages"]
    assert (again_code, again["llm"]["cached"], again["findings"]) == (code, True, data["findings"])


def test_no_llm_flag_and_pre_commit_make_no_calls(
    repo: GitRepo, anthropic_server: AnthropicServer, run_archbot: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    staged(repo)
    assert report(run_archbot, "--no-llm")[1]["llm"]["used"] is False
    monkeypatch.setenv("PRE_COMMIT", "1")
    assert run_archbot("review").code == 0
    assert anthropic_server.requests == []


RUNNER = """from openai import OpenAI

client = OpenAI(timeout=30, max_retries=2)


def run(task: str) -> None:
    reply = client.chat.completions.create(
        model="gpt-4o-2024-08-06", max_tokens=256, messages=[{"role": "user", "content": task}]
    )
    exec(reply.choices[0].message.content)
"""
ML_PACKAGES = ("openai", "anthropic", "litellm", "tiktoken", "langchain", "instructor", "transformers")


def test_budget_keeps_the_file_with_a_critical_rule_finding_over_a_higher_scoring_one(
    repo: GitRepo, anthropic_server: AnthropicServer, run_archbot: Any
) -> None:
    """requirements.txt scores higher for the persona, but the file holding a critical rule
    finding is the one worth the budget."""
    repo.stage(".archbot.yml", "llm:\n  max_input_tokens: 6000\n")
    repo.commit("config")
    repo.stage("app/runner.py", RUNNER)
    pins = [f"{name}=={major}.{minor}.0" for minor in range(100) for major, name in enumerate(ML_PACKAGES)]
    repo.stage("requirements.txt", "\n".join(pins) + "\n")
    code, data = report(run_archbot)
    (sent,) = anthropic_server.messages()
    user = sent.body["messages"][0]["content"]
    assert "file: app/runner.py" in user and "file: requirements.txt" not in user
    assert {
        "path": "requirements.txt",
        "reason": "persona review: over the input token budget (llm.max_input_tokens 6000)",
    } in data["files"]["skipped"]
    assert [(f["rule"], f["severity"]) for f in data["findings"]][:1] == [("llm-output-exec", "critical")]
    assert code == 1


def test_progress_lines_reach_stderr_outside_a_terminal(
    repo: GitRepo, anthropic_server: AnthropicServer, run_archbot: Any
) -> None:
    staged(repo)
    anthropic_server.script = [findings(NO_FALLBACK)]
    first = run_archbot("review")
    assert first.err.splitlines()[0] == (
        "archbot: persona review 1/1: llm-ml-engineer on app/llm.py (claude-sonnet-5-5) …"
    )
    assert re.fullmatch(
        r"archbot: persona review 1/1: llm-ml-engineer answered in \d+\.\d s \(1 finding\)",
        first.err.splitlines()[1],
    )
    again = run_archbot("review")
    assert again.err == "archbot: persona review: llm-ml-engineer on app/llm.py: answer cached, no call\n"


def test_failure_footer_says_in_words_what_failed(
    repo: GitRepo, anthropic_server: AnthropicServer, run_archbot: Any
) -> None:
    staged(repo)
    anthropic_server.default = lambda: error(529, "overloaded_error", "Overloaded")
    text = run_archbot("review")
    assert "persona review failed: the API was overloaded (529); rules only" in text.out
    assert "None" not in text.out
    assert "archbot: persona review 1/1: llm-ml-engineer failed: the API was overloaded (529)" in text.err
    markdown = run_archbot("review", "--format", "markdown")
    assert "- persona review failed: the API was overloaded (529); rules only" in markdown.out


def test_findings_only_on_files_the_persona_was_sent_and_model_output_redacted(
    repo: GitRepo, anthropic_server: AnthropicServer, run_archbot: Any
) -> None:
    staged(repo, **{"docs__notes.md": "# Notes\n\nThe client lives in app/llm.py.\n"})
    leaked = "sk-proj-" + "Qm4vXBTXn6nzCyIGN1dm18pD" * 3
    on_unsent = {**NO_FALLBACK, "file": "docs/notes.md", "line": 3, "title": "Docs are stale"}
    with_key = {**NO_FALLBACK, "failure": f"the key {leaked} leaks"}
    anthropic_server.script = [findings(with_key, on_unsent)]
    code, data = report(run_archbot)
    assert [(f["file"], f["line"]) for f in llm_findings(data)] == [("app/llm.py", 9)]
    assert llm_findings(data)[0]["rationale"] == (
        "When the provider has an outage, the key <secret:openai-key, 80 chars> leaks."
    )
    assert "1 persona finding named a file its persona was not sent and was dropped" in data["notices"]
    assert code == 0


def test_endpoint_error_text_and_the_key_are_redacted_from_notices(
    repo: GitRepo, anthropic_server: AnthropicServer, run_archbot: Any
) -> None:
    staged(repo)
    echoed = "ghp_" + "Zr7Ks6a933dUcWPtha8OH4d8cGWajlTCxoebUm"
    anthropic_server.default = lambda: error(
        400, "invalid_request_error", f"bad header x-api-key=test-key-not-secret, token {echoed}"
    )
    code, data = report(run_archbot)
    assert data["notices"] == [
        "the API rejected the request (400): bad header x-api-key=<secret:api-key, 19 chars>, "
        "token <secret:github-token, 42 chars>"
    ]
    assert code == 0
