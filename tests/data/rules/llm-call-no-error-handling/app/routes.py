"""HTTP and task entry points of the answer service."""

import json

import openai
from anthropic import AsyncAnthropic
from celery import Celery
from fastapi import FastAPI, HTTPException
from openai import AsyncOpenAI, OpenAI

app = FastAPI()
worker = Celery("answers")
client = AsyncOpenAI(timeout=20)
sync_client = OpenAI(timeout=20)
claude = AsyncAnthropic(timeout=20)


class QuotaExceeded(Exception):
    """Raised by our own quota layer."""


@app.post("/answer")
async def answer(question: str) -> str:
    reply = await client.chat.completions.create(  # positive: provider errors become HTTP 500s
        model="gpt-4o-mini", messages=[{"role": "user", "content": question}], max_tokens=300
    )
    return reply.choices[0].message.content or ""


@app.post("/answer-safe")
async def answer_safe(question: str) -> str:
    try:
        reply = await client.chat.completions.create(  # negative: provider error family caught
            model="gpt-4o-mini", messages=[{"role": "user", "content": question}], max_tokens=300
        )
    except openai.APIError as error:
        raise HTTPException(503, "model unavailable") from error
    return reply.choices[0].message.content or ""


@app.post("/extract")
async def extract(text: str) -> dict[str, str]:
    try:
        message = await claude.messages.create(  # positive: only JSON errors are caught
            model="claude-3-5-haiku-20241022", max_tokens=500, messages=[{"role": "user", "content": text}]
        )
        return json.loads(message.content[0].text)
    except json.JSONDecodeError as error:
        raise HTTPException(502, "unparseable model output") from error


@app.post("/extract-broad")
async def extract_broad(text: str) -> str:
    try:
        message = await claude.messages.create(  # negative: broad handler
            model="claude-3-5-haiku-20241022", max_tokens=500, messages=[{"role": "user", "content": text}]
        )
    except Exception as error:
        raise HTTPException(503, "model unavailable") from error
    return message.content[0].text


@app.post("/quota")
async def quota(text: str) -> str:
    try:
        message = await claude.messages.create(  # negative: project error class, cannot tell
            model="claude-3-5-haiku-20241022", max_tokens=500, messages=[{"role": "user", "content": text}]
        )
    except QuotaExceeded as error:
        raise HTTPException(429, "quota") from error
    return message.content[0].text


@worker.task
def nightly_digest(text: str) -> str:
    reply = sync_client.chat.completions.create(  # positive: task fails as a poison message
        model="gpt-4o-mini", messages=[{"role": "user", "content": text}], max_tokens=300
    )
    return reply.choices[0].message.content or ""


@worker.task(autoretry_for=(openai.APIError,), retry_backoff=True)
def digest_with_retries(text: str) -> str:
    reply = sync_client.chat.completions.create(  # negative: Celery retries provider errors
        model="gpt-4o-mini", messages=[{"role": "user", "content": text}], max_tokens=300
    )
    return reply.choices[0].message.content or ""


def build_prompt(text: str) -> str:
    reply = sync_client.chat.completions.create(  # negative: not a handler
        model="gpt-4o-mini", messages=[{"role": "user", "content": text}], max_tokens=50
    )
    return reply.choices[0].message.content or ""


@app.post("/similar")
def similar(text: str) -> list[float]:
    from sentence_transformers import SentenceTransformer

    encoder = SentenceTransformer("all-MiniLM-L6-v2")
    vector = encoder.encode(text)  # negative: an in-process model has no provider to fail
    return [float(value) for value in vector]
