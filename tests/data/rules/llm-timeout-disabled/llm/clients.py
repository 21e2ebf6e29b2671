"""LLM clients for the summarizer and the support agent."""

import httpx
from anthropic import Anthropic
from langchain_anthropic import ChatAnthropic
from langchain_openai import AzureChatOpenAI, ChatOpenAI
from openai import OpenAI

from llm.queue import JobQueue

openai_client = OpenAI(timeout=None, max_retries=2)
claude = Anthropic(timeout=30.0)
batch_client = openai_client.with_options(timeout=None)
gateway_http = httpx.Client(base_url="http://llm-gateway:4000", timeout=None)
scoped_http = httpx.Client(base_url="http://llm-gateway:4000", timeout=httpx.Timeout(20.0, connect=3.0))

summarizer = ChatOpenAI(model="gpt-4o-mini", max_tokens=400)
azure_summarizer = AzureChatOpenAI(azure_deployment="summaries", max_tokens=400)
support_agent = ChatAnthropic(model="claude-3-5-haiku-20241022", max_tokens=1024)
bounded_summarizer = ChatOpenAI(model="gpt-4o-mini", max_tokens=400, timeout=30)
legacy_summarizer = ChatOpenAI(model="gpt-4o-mini", max_tokens=400, request_timeout=30)
agent_with_client = ChatAnthropic(
    model="claude-3-5-haiku-20241022", max_tokens=1024, default_request_timeout=20
)
routed = ChatOpenAI(model="gpt-4o-mini", max_tokens=400, http_client=scoped_http)
jobs = JobQueue(timeout=None)


def summarize(text: str) -> str:
    response = openai_client.chat.completions.create(
        model="gpt-4o-mini",
        messages=[{"role": "user", "content": text}],
        max_tokens=400,
        timeout=None,
    )
    return response.choices[0].message.content or ""


def status() -> int:
    return httpx.get("http://llm-gateway:4000/health").status_code


async def relay(path: str, body: bytes) -> bytes:
    local = f"http://127.0.0.1:8081/{path}"
    async with httpx.AsyncClient(timeout=None) as sidecar:
        answer = await sidecar.post(local, content=body)
    return answer.content


async def local_model(prompt: str) -> str:
    async with httpx.AsyncClient(timeout=None) as ollama:
        answer = await ollama.post("http://localhost:11434/api/generate", json={"prompt": prompt})
    return answer.json()["response"]


tokenizer_service = httpx.Client(base_url="http://localhost:9000", timeout=None)
