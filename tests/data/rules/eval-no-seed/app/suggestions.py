"""Suggested prompts for the chat UI: variety is the point, so no seed (not evaluation code)."""

import random

from openai import OpenAI

client = OpenAI(timeout=20)
STARTERS = ["Summarize my notes", "Plan my week", "Explain this error"]


def starters(k: int) -> list[str]:
    picks = list(STARTERS)
    random.shuffle(picks)  # negative: not an evaluation path
    return picks[:k]


def retrieval_probe(query: str) -> str:
    reply = client.chat.completions.create(  # negative: not an evaluation path
        model="gpt-4.1-mini-2025-04-14",
        messages=[{"role": "user", "content": query}],
        max_tokens=50,
    )
    return reply.choices[0].message.content or ""
