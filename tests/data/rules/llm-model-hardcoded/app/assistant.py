"""Assistant service: clients and the calls that use them."""

import os

import litellm
from anthropic import Anthropic
from langchain_openai import ChatOpenAI, OpenAIEmbeddings
from openai import AzureOpenAI, OpenAI

DEFAULT_MODEL = "gpt-4o-mini-2024-07-18"
RERANK_MODEL = os.environ.get("RERANK_MODEL", "claude-haiku-4-5-20251001")
client = OpenAI(timeout=30)
claude = Anthropic(timeout=30)
fallback_llm = ChatOpenAI(model="gpt-4o-mini-2024-07-18", timeout=30, max_tokens=400)


def answer(question: str) -> str:
    resp = client.chat.completions.create(
        model="gpt-4o-2024-08-06",
        max_completion_tokens=400,
        messages=[{"role": "user", "content": question}],
    )
    return resp.choices[0].message.content or ""


def rerank(question: str, passages: list[str]) -> str:
    message = claude.messages.create(
        model=RERANK_MODEL, max_tokens=200, messages=[{"role": "user", "content": question}]
    )
    return message.content[0].text


def summarize(text: str, settings: dict[str, str]) -> str:
    resp = litellm.completion(
        model=settings["summary_model"], max_tokens=300, messages=[{"role": "user", "content": text}]
    )
    return resp.choices[0].message.content


def build_chain() -> ChatOpenAI:
    return ChatOpenAI(model_name="gpt-4o-mini-2024-07-18", timeout=30, max_tokens=400)


def azure_client() -> AzureOpenAI:
    return AzureOpenAI(azure_deployment="support-gpt4o", api_version="2024-10-21", timeout=30)


def embedder() -> OpenAIEmbeddings:
    return OpenAIEmbeddings(model="text-embedding-3-small")


def classify(text: str) -> str:
    resp = client.chat.completions.create(
        model=DEFAULT_MODEL, max_completion_tokens=5, messages=[{"role": "user", "content": text}]
    )
    return resp.choices[0].message.content or ""
