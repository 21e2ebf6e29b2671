"""Speech front end that drives a generation engine."""

import os

import httpx
import requests
from transformers import AutoTokenizer

TOKENIZER = AutoTokenizer.from_pretrained("./speech-tokenizer")


class SidecarEngine:
    """The engine runs in the same container, beside this process."""

    def __init__(self, params: dict[str, str]) -> None:
        self.client = httpx.Client(timeout=60)
        self.endpoint = params.get("engine_url", "http://127.0.0.1:9000/v1/chat/completions")

    def tokens(self, text: str) -> str:
        reply = self.client.post(self.endpoint, json={"messages": [{"role": "user", "content": text}]})
        return reply.json()["choices"][0]["message"]["content"]  # negative above: on this machine


def local_draft(text: str) -> str:
    url = os.getenv("DRAFT_URL", "http://localhost:11434/api/generate")
    reply = requests.post(url, json={"model": "phi3", "prompt": text}, timeout=60)
    return reply.json()["response"]  # negative above: a lookup's default on this machine


def local_literal(text: str) -> str:
    text = TOKENIZER.decode(TOKENIZER.encode(text))
    reply = requests.post("http://[::1]:8080/generate", json={"inputs": text}, timeout=60)
    return reply.json()["generated_text"]  # negative above: loopback literal


def shared_draft(text: str) -> str:
    url = os.getenv("DRAFT_URL", "http://drafts.internal:11434/api/generate")
    reply = requests.post(url, json={"model": "phi3", "prompt": text}, timeout=60)  # positive
    return reply.json()["response"]
