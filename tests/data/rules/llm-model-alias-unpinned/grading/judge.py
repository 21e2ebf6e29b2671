"""LLM-as-judge evaluation pipeline for the support assistant."""

import dataclasses

import litellm
import requests
from langchain.chat_models import init_chat_model
from openai import OpenAI
from pydantic import Field

JUDGE_MODEL = "gpt-4o"
CANDIDATE_MODEL = "gpt-4o-2024-08-06"
LEGACY_MODEL = "gpt-4-0613"
CLAUDE_MODEL = "claude-sonnet-4-5"
CLAUDE_PINNED = "claude-sonnet-4-5-20250929"
VERTEX_CLAUDE = "claude-3-5-sonnet-v2@20241022"
GEMINI_MODEL = "gemini-1.5-pro-latest"
GEMINI_STABLE = "gemini-2.5-flash"
EMBED_MODEL = "text-embedding-3-small"
HUB_MODEL = "meta-llama/Llama-3.1-8B-Instruct"
TUNED_MODEL = "ft:gpt-4o-mini-2024-07-18:acme::9xYz"


@dataclasses.dataclass
class EvalConfig:
    model: str = "o3-mini"
    temperature: float = 0.0


def judge(client: OpenAI, answer: str) -> str:
    resp = client.chat.completions.create(
        model="chatgpt-4o-latest", max_completion_tokens=5, messages=[{"role": "user", "content": answer}]
    )
    return resp.choices[0].message.content or ""


def grade(question: str, model: str = "o4-mini") -> str:
    resp = litellm.completion(
        model="openai/gpt-4.1-mini", max_tokens=5, messages=[{"role": "user", "content": question}]
    )
    return f"{model}: {resp.choices[0].message.content}"


def pinned_grade(question: str) -> str:
    resp = litellm.completion(
        model=CANDIDATE_MODEL, max_tokens=5, messages=[{"role": "user", "content": question}]
    )
    return resp.choices[0].message.content


def build_llm() -> object:
    return init_chat_model("anthropic:claude-3-5-haiku-latest", max_tokens=200)


def raw_judge(endpoint: str, answer: str) -> dict[str, object]:
    payload = {"model": "gpt-4.1", "messages": [{"role": "user", "content": answer}], "max_tokens": 5}
    return requests.post(endpoint, json=payload, timeout=30).json()


class JudgeSettings:
    # A schema's documented example configures nothing: no finding on the examples below.
    judge = Field(
        default=None,
        description="A model id or a mapping such as {model, max_tokens}.",
        examples=["gpt-4o-mini", {"model": "openai/gpt-4o-mini", "max_tokens": 512}],
    )
    fallback = {"model": "gpt-4o-mini"}


# Open weights are fixed by their name (no dated snapshot exists); an Azure deployment's name is the
# team's own label for a deployment that pins its model version in Azure.
OPEN_WEIGHTS_MODEL = "gpt-oss-120b"
JUDGE_MODEL_DEPLOYMENT = "gpt-4o"
