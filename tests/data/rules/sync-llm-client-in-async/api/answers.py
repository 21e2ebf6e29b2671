"""FastAPI endpoints that answer support questions."""

import asyncio

import httpx
import litellm
import requests
from anthropic import Anthropic
from fastapi import FastAPI
from langchain_openai import ChatOpenAI
from openai import AsyncOpenAI, OpenAI
from transformers import pipeline

app = FastAPI()
client = OpenAI(timeout=30)
aclient = AsyncOpenAI(timeout=30)
claude = Anthropic(timeout=30)
chat = ChatOpenAI(model="gpt-4o-mini", timeout=30, max_tokens=300)
sentiment = pipeline(
    "sentiment-analysis", model="acme/sentiment-small", revision="767c76fb008f86bebb2737f6a6f0fb23c6f5da2c"
)
MESSAGES = [{"role": "user", "content": "ping"}]


@app.post("/answer")
async def answer(question: str) -> str:
    response = client.chat.completions.create(model="gpt-4o-mini", messages=MESSAGES, max_tokens=300)
    return response.choices[0].message.content or ""


@app.post("/answer/async")
async def answer_async(question: str) -> str:
    response = await aclient.chat.completions.create(model="gpt-4o-mini", messages=MESSAGES, max_tokens=300)
    return response.choices[0].message.content or ""


@app.post("/answer/claude")
async def answer_claude(question: str) -> str:
    message = claude.messages.create(model="claude-3-5-haiku-20241022", max_tokens=300, messages=MESSAGES)
    return message.content[0].text


@app.post("/answer/offloaded")
async def answer_offloaded(question: str) -> str:
    response = await asyncio.to_thread(
        client.chat.completions.create, model="gpt-4o-mini", messages=MESSAGES, max_tokens=300
    )
    loop = asyncio.get_running_loop()
    message = await loop.run_in_executor(
        None,
        lambda: claude.messages.create(model="claude-3-5-haiku-20241022", max_tokens=300, messages=MESSAGES),
    )
    return (response.choices[0].message.content or "") + message.content[0].text


@app.post("/answer/worker")
async def answer_in_worker(question: str) -> str:
    def fetch_context() -> str:
        return requests.get("http://kb:8080/search", params={"q": question}, timeout=5).text

    return await asyncio.to_thread(fetch_context)


@app.post("/answer/litellm")
async def answer_litellm(question: str) -> str:
    response = litellm.completion(model="gpt-4o-mini", messages=MESSAGES, max_tokens=300)
    return response.choices[0].message.content


@app.post("/answer/chain")
async def answer_chain(question: str) -> str:
    draft = chat.invoke(question)
    final = await chat.ainvoke(question)
    return str(draft.content) + str(final.content)


@app.get("/context")
async def context(question: str) -> str:
    blocking = requests.get("http://kb:8080/search", params={"q": question}, timeout=5).text
    async with httpx.AsyncClient(timeout=5) as http:
        found = await http.get("http://kb:8080/search", params={"q": question})
    return blocking + found.text


@app.post("/classify")
async def classify(text: str) -> str:
    return sentiment(text)[0]["label"]


def answer_offline(question: str) -> str:
    response = client.chat.completions.create(model="gpt-4o-mini", messages=MESSAGES, max_tokens=300)
    return response.choices[0].message.content or ""



class Answerer:
    async def _client(self, async_client: bool = False) -> AsyncOpenAI | OpenAI:
        if async_client:
            return AsyncOpenAI(timeout=30)
        return OpenAI(timeout=30)

    async def answer(self, question: str) -> str:
        factory_client = await self._client(async_client=True)
        # negative: an awaited call returns an awaitable, whichever client the factory's other
        # branch builds
        response = await factory_client.chat.completions.create(
            model="gpt-4o-mini", messages=MESSAGES, max_tokens=300
        )
        return response.choices[0].message.content or ""
