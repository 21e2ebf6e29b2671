"""A model gateway that checks its upstream when it starts."""

from contextlib import asynccontextmanager

import requests
from fastapi import FastAPI
from openai import OpenAI

client = OpenAI(timeout=30)
MESSAGES = [{"role": "user", "content": "ping"}]


@asynccontextmanager
async def lifespan(app: FastAPI):
    client.chat.completions.create(model="gpt-4o-mini", messages=MESSAGES, max_tokens=1)
    yield
    requests.post("https://audit.example.org/stopped", timeout=5)


app = FastAPI(lifespan=lifespan)


@app.on_event("startup")
async def announce() -> None:
    requests.post("https://audit.example.org/started", timeout=5)


@app.post("/ask")
async def ask(question: str) -> str:
    reply = client.chat.completions.create(model="gpt-4o-mini", messages=MESSAGES, max_tokens=300)
    return reply.choices[0].message.content or ""  # positive above: a request waits on it
