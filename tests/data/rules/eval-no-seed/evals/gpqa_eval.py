"""Score the assistant on a multiple-choice benchmark with an LLM judge."""

import os
import random

import numpy as np
import requests
from datasets import load_dataset
from openai import OpenAI

JUDGE_MODEL = os.getenv("JUDGE_MODEL", "gpt-4.1-mini-2025-04-14")
JUDGE_URL = "https://generativelanguage.googleapis.com/v1beta/models/gemini-2.0-flash:generateContent"
SEED = 1234
judge = OpenAI(timeout=60)


def load_questions(limit: int) -> list[dict]:
    dataset = load_dataset("acme/mcq-bench", split="test", revision="0f3c1a9b8e7d6c5b4a39281706f5e4d3c2b1a098")
    dataset = dataset.shuffle()  # positive: no seed
    ordered = dataset.shuffle(seed=SEED)  # negative
    return list(ordered.select(range(limit)))


def as_prompt(row: dict) -> tuple[str, str]:
    choices = [row["wrong_1"], row["wrong_2"], row["wrong_3"], row["answer"]]
    random.shuffle(choices)  # positive
    random.Random(SEED).shuffle(choices)  # negative: a seeded generator
    picks = np.random.permutation(len(choices))  # positive
    letter = "ABCD"[choices.index(row["answer"])]
    return "\n".join(f"{'ABCD'[i]}. {choices[p]}" for i, p in enumerate(picks)), letter


def grade_with_gemini(question: str, answer: str) -> str:
    response = requests.post(
        JUDGE_URL,
        json={
            "contents": [{"parts": [{"text": f"Grade this answer.\n{question}\n{answer}"}]}],
            "generationConfig": {"response_mime_type": "application/json"},  # positive: the config
        },
        timeout=60,
    )
    return response.json()["candidates"][0]["content"]["parts"][0]["text"]


def grade_with_gemini_pinned(question: str, answer: str) -> str:
    response = requests.post(
        JUDGE_URL,
        json={
            "contents": [{"parts": [{"text": f"Grade this answer.\n{question}\n{answer}"}]}],
            "generationConfig": {"temperature": 0, "seed": SEED},  # negative
        },
        timeout=60,
    )
    return response.json()["candidates"][0]["content"]["parts"][0]["text"]


def grade(question: str, answer: str) -> str:
    verdict = judge.chat.completions.create(  # positive: the judge samples freely
        model=JUDGE_MODEL,
        messages=[{"role": "user", "content": f"Grade this answer.\n{question}\n{answer}"}],
        max_tokens=20,
    )
    return verdict.choices[0].message.content or ""


def grade_pinned(question: str, answer: str) -> str:
    verdict = judge.chat.completions.create(  # negative
        model=JUDGE_MODEL,
        messages=[{"role": "user", "content": f"Grade this answer.\n{question}\n{answer}"}],
        max_tokens=20,
        temperature=0,
        seed=SEED,
    )
    return verdict.choices[0].message.content or ""


def similarity(texts: list[str]) -> list[list[float]]:
    vectors = judge.embeddings.create(model="text-embedding-3-small", input=texts)  # negative
    return [item.embedding for item in vectors.data]


def grade_with_options(question: str, answer: str, options: dict[str, object]) -> str:
    response = requests.post(
        JUDGE_URL,
        json={"contents": [{"parts": [{"text": f"{question}\n{answer}"}]}], **options},  # negative
        timeout=60,
    )
    return response.json()["candidates"][0]["content"]["parts"][0]["text"]
