"""Summaries of tool results, retried as a batch, and labels."""

import asyncio
import json

from openai import AsyncOpenAI

client = AsyncOpenAI(timeout=30)


async def summarize_batch(results: list[str]) -> list[dict]:
    reply = await client.chat.completions.create(
        model="gpt-4o-mini-2024-07-18",
        messages=[{"role": "user", "content": "\n".join(results)}],
        max_tokens=400,
    )
    return json.loads(reply.choices[0].message.content)  # negative: its one caller retries on error


async def summaries(results: list[str]) -> list[dict]:
    for attempt in range(3):
        try:
            return await summarize_batch(results)
        except Exception:
            await asyncio.sleep(2**attempt)
    return []


async def label(text: str) -> dict:
    reply = await client.chat.completions.create(
        model="gpt-4o-mini-2024-07-18", messages=[{"role": "user", "content": text}], max_tokens=50
    )
    return json.loads(reply.choices[0].message.content)  # positive: one of its callers does not catch


async def labels(texts: list[str]) -> list[dict]:
    first = await label(texts[0])
    try:
        rest = [await label(t) for t in texts[1:]]
    except ValueError:
        rest = []
    return [first, *rest]
