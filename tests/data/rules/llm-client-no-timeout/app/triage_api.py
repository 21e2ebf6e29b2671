"""Ticket triage endpoints that bound each model call with a deadline of their own."""

import asyncio

from anthropic import Anthropic, AsyncAnthropic
from fastapi import FastAPI
from openai import AsyncOpenAI

app = FastAPI()

labeller = AsyncOpenAI()  # negative: every call is awaited under asyncio.wait_for
summarizer = AsyncAnthropic()  # negative: every call runs inside a deadline scope
escalation = Anthropic()  # positive (medium): a deadline cannot stop a blocking call
mixed = AsyncOpenAI()  # positive (medium): one of its calls has no deadline


@app.post("/triage")
async def triage(ticket: str) -> dict[str, str]:
    messages = [{"role": "user", "content": ticket}]
    label = await asyncio.wait_for(
        labeller.chat.completions.create(model="gpt-4o-mini", messages=messages, max_tokens=5),
        timeout=8,
    )
    async with asyncio.timeout(20):
        summary = await summarizer.messages.create(
            model="claude-3-5-haiku-latest", max_tokens=300, messages=messages
        )
    escalated = await asyncio.wait_for(
        escalation.messages.create(model="claude-3-5-haiku-latest", max_tokens=300, messages=messages),
        timeout=8,
    )
    return {
        "label": label.choices[0].message.content or "",
        "summary": summary.content[0].text,
        "escalation": escalated.content[0].text,
    }


@app.post("/reply")
async def reply(ticket: str) -> str:
    messages = [{"role": "user", "content": ticket}]
    draft = await asyncio.wait_for(
        mixed.chat.completions.create(model="gpt-4o-mini", messages=messages, max_tokens=400), timeout=30
    )
    polished = await mixed.chat.completions.create(model="gpt-4o-mini", messages=messages, max_tokens=400)
    return polished.choices[0].message.content or draft.choices[0].message.content or ""


@app.get("/health/models")
async def models_ready() -> bool:
    probe = AsyncOpenAI()  # negative: its one call, a model listing, is awaited under a deadline
    listed = await asyncio.wait_for(probe.models.list(), timeout=5)
    return bool(listed.data)


@app.get("/health/models/slow")
async def models_listed() -> bool:
    probe = AsyncOpenAI()  # positive (medium): its model listing has no deadline
    listed = await probe.models.list()
    return bool(listed.data)
