"""Drafts and reviews through engines whose addresses the settings give."""

import requests
import tiktoken

from assistant.engine_settings import EngineSettings, engine_settings


class Drafter:
    def __init__(self) -> None:
        self.base = getattr(engine_settings, "draft_base")

    def draft(self, text: str) -> str:
        body = {"model": "phi3", "prompt": text}
        reply = requests.post(f"{self.base}/api/generate", json=body, timeout=60)
        return reply.json()["response"]  # negative above: the settings' default is this machine


def summarize(text: str) -> str:
    text = tiktoken.get_encoding("cl100k_base").decode(tiktoken.get_encoding("cl100k_base").encode(text))
    url = f"{engine_settings.summary_base}/v1/chat/completions"
    reply = requests.post(url, json={"messages": [{"role": "user", "content": text}]}, timeout=60)
    return reply.json()["choices"][0]["message"]["content"]  # negative above: a class default


def review(text: str, settings: EngineSettings) -> str:
    url = f"{settings.review_base}/v1/chat/completions"
    reply = requests.post(url, json={"messages": [{"role": "user", "content": text}]}, timeout=60)
    return reply.json()["choices"][0]["message"]["content"]  # positive above: another host


LOCAL_BASE = "http://localhost:11434"
SHARED_BASE = "https://drafts.example.net"


def local_outline(text: str) -> str:
    reply = requests.post(f"{LOCAL_BASE}/api/generate", json={"model": "phi3", "prompt": text}, timeout=60)
    return reply.json()["response"]  # negative above: a module constant on this machine


def shared_outline(text: str) -> str:
    reply = requests.post(f"{SHARED_BASE}/api/generate", json={"model": "phi3", "prompt": text}, timeout=60)
    return reply.json()["response"]  # positive above
