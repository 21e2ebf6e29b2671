"""Thin HTTP client for the self-hosted model servers behind the answer API."""

import urllib.request

import httpx
import requests
from openai import OpenAI

from llm.transport import RetryingTransport

RANKER_URL = "http://ranker:8080/score"
client = OpenAI(base_url="http://vllm:8000/v1", timeout=30)
session = requests.Session()


def ranker_health() -> bool:
    return requests.get("http://ranker:8080/healthz").ok


def complete(payload: dict) -> dict:
    return requests.post("http://vllm:8000/v1/chat/completions", json=payload).json()


def generate(prompt: str) -> dict:
    body = {"model": "llama3.1", "prompt": prompt}
    return requests.post("http://ollama:11434/api/generate", json=body, timeout=None).json()


def embed(texts: list[str]) -> dict:
    return requests.post("http://tei:8080/v1/embeddings", json={"input": texts}, timeout=(3, 30)).json()


def score(query: str) -> dict:
    return session.post(RANKER_URL, json={"query": query}).json()


def download_prompt(url: str) -> bytes:
    with urllib.request.urlopen(url) as response:
        return response.read()


def download_prompt_bounded(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.read()


def probe(url: str) -> int:
    return httpx.get(url).status_code


def forward(url: str, **options: object) -> requests.Response:
    return requests.get(url, **options)


class RankerClient:
    def __init__(self, transport: RetryingTransport) -> None:
        self.requests = transport

    def score(self, query: str) -> dict:
        return self.requests.get(RANKER_URL, params={"q": query})


class PooledRankerClient:
    def __init__(self) -> None:
        self.requests = requests.Session()

    def score(self, query: str) -> dict:
        return self.requests.get(RANKER_URL, params={"q": query}).json()


class SidecarClient:
    def __init__(self, port: int) -> None:
        self.port = port

    def shutdown(self) -> None:
        requests.get(f"http://localhost:{self.port}/shutdown")

    def generate(self, prompt: str) -> dict:
        return requests.post(f"http://127.0.0.1:{self.port}/v1/completions", json={"prompt": prompt}).json()

    def status(self) -> dict:
        url = f"http://localhost:{self.port}/status"
        return requests.get(url).json()


class ToolServerClient:
    DEFAULT_HOST = "127.0.0.1"

    def __init__(self, port: int) -> None:
        self.host = self.DEFAULT_HOST
        self.url = f"http://{self.host}:{port}"
        self.session = requests.Session()

    def ping(self) -> int:
        return self.session.get(self.url).status_code


class ToolGatewayClient:
    DEFAULT_HOST = "tools.internal"

    def __init__(self, port: int) -> None:
        self.host = self.DEFAULT_HOST
        self.url = f"http://{self.host}:{port}"
        self.session = requests.Session()

    def ping(self) -> int:
        return self.session.get(self.url).status_code
