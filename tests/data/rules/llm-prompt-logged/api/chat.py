"""Support chat endpoints."""

import logging

from fastapi import FastAPI
from openai import AsyncOpenAI
from pydantic import BaseModel

app = FastAPI()
client = AsyncOpenAI(timeout=20)
logger = logging.getLogger("support")
MODEL = "gpt-4o-mini-2024-07-18"
SYSTEM_PROMPT = "You are a support assistant for Acme routers."


class Question(BaseModel):
    user_id: str
    text: str


@app.post("/chat")
async def chat(body: Question) -> dict[str, str]:
    messages = [
        {"role": "system", "content": SYSTEM_PROMPT},
        {"role": "user", "content": body.text},
    ]
    logger.debug("sending messages=%s", messages)
    resp = await client.chat.completions.create(model=MODEL, max_completion_tokens=500, messages=messages)
    answer = resp.choices[0].message.content
    logger.info(f"answer for {body.user_id}: {answer}")
    print(resp.choices[0].message.content)
    logger.info("chat done id=%s tokens=%d", resp.id, resp.usage.total_tokens)
    logger.info("prompt size=%d answer size=%d", len(messages), len(answer))
    logger.info("system prompt: %s", SYSTEM_PROMPT)
    return {"answer": answer}


@app.post("/summarize")
async def summarize(body: Question) -> dict[str, str]:
    prompt = f"Summarize for a support ticket:\n{body.text}"
    logger.info("summarize prompt: %s", prompt)
    resp = await client.chat.completions.create(
        model=MODEL, max_completion_tokens=300, messages=[{"role": "user", "content": prompt}]
    )
    logger.warning("finish_reason=%s model=%s", resp.choices[0].finish_reason, resp.model)
    stopped = resp.choices[0].finish_reason or "unknown"
    logger.info("stopped: %s", stopped)
    return {"summary": resp.choices[0].message.content}
