"""Scores replies with the hosted judge, through the project's own decorators."""

import httpx

from grading.attempts import attempted, traced, with_attempts

JUDGE_URL = "https://judge.example.net/v1/chat/completions"


def _ask(reply: str) -> dict:
    return {"model": "judge-2", "messages": [{"role": "user", "content": reply}]}


@with_attempts
def score(reply: str) -> dict:
    return httpx.post(JUDGE_URL, json=_ask(reply), timeout=30).json()


@attempted(4)
def rank(reply: str) -> dict:
    return httpx.post(JUDGE_URL, json=_ask(reply), timeout=30).json()


@traced
def critique(reply: str) -> dict:
    return httpx.post(JUDGE_URL, json=_ask(reply), timeout=30).json()
