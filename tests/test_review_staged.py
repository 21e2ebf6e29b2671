"""The issue's first-user scenario on a real git repository, through the CLI."""

from __future__ import annotations

from conftest import GitRepo, run_console

LEAKY_CLIENT = """import requests
from openai import OpenAI

client = OpenAI(api_key="sk-proj-Xk29dLq8vNw3Rt7Yp1Zs6Hc4Bm0Gf5Ja")


def complete(prompt: str) -> str:
    resp = requests.post("http://llm.internal:8000/v1/chat/completions", json={"prompt": prompt})
    return resp.json()["text"]
"""

FIXED_CLIENT = """import os

import requests
from openai import OpenAI
from tenacity import retry, stop_after_attempt, wait_random_exponential

client = OpenAI(api_key=os.environ["OPENAI_API_KEY"], timeout=30)


@retry(stop=stop_after_attempt(3), wait=wait_random_exponential(max=10))
def complete(prompt: str) -> str:
    resp = requests.post(
        "http://llm.internal:8000/v1/chat/completions", json={"prompt": prompt}, timeout=(3, 60)
    )
    return resp.json()["text"]
"""


def test_staged_llm_client_defects_then_fixed(repo: GitRepo, run_archbot) -> None:  # type: ignore[no-untyped-def]
    repo.stage("README.md", "# service\n")
    repo.commit("init")
    repo.stage("app/llm.py", LEAKY_CLIENT)

    result = run_archbot("review", "--quiet")

    assert result.code == 1
    assert result.out == (
        "app/llm.py:4: critical [hardcoded-llm-api-key] Provider API key or token in source or config\n"
        "app/llm.py:8: high [http-call-no-timeout] Plain HTTP call without a timeout\n"
        "archbot: 2 findings: 1 critical, 1 high, 0 medium, 0 low\n"
    )

    repo.stage("app/llm.py", FIXED_CLIENT)
    fixed = run_archbot("review", "--quiet")
    assert fixed.code == 0
    assert fixed.out == "archbot: 0 findings: 0 critical, 0 high, 0 medium, 0 low\n"


def test_readme_only_change_is_silent(repo: GitRepo, run_archbot) -> None:  # type: ignore[no-untyped-def]
    repo.stage("README.md", "# service\n\nUses openai and torch.\n")
    result = run_archbot("review")
    assert (result.code, result.out) == (0, "archbot: no ML/LLM-related changes\n")


def test_console_script_as_subprocess(repo: GitRepo) -> None:
    repo.stage("app/llm.py", LEAKY_CLIENT)
    result = run_console("review", "--quiet", cwd=repo.path)
    assert result.returncode == 1
    assert "app/llm.py:4: critical [hardcoded-llm-api-key]" in result.stdout
    assert result.stderr == ""
