"""A run store that persists through whichever backend the deployment configured."""

import httpx
import requests
from openai import AsyncOpenAI, OpenAI

MODEL = "gpt-4o-mini-2024-07-18"
client = AsyncOpenAI(timeout=20)
sync_client = OpenAI(timeout=20)


class RunStore:
    def __init__(self, url: str, is_async: bool) -> None:
        self.url = url
        self.is_async = is_async

    def save(self, run: dict) -> None:
        requests.post(self.url, json=run, timeout=10)

    async def asave(self, run: dict) -> None:
        async with httpx.AsyncClient(timeout=10) as http:
            await http.post(self.url, json=run)

    async def finish(self, run: dict) -> None:
        if self.is_async:
            await self.asave(run)
        else:
            self.save(run)

    async def finish_twice(self, run: dict) -> None:
        if self.is_async:
            await self.asave(run)
        self.save(run)

    async def answer(self, question: str, cheap: bool) -> str:
        messages = [{"role": "user", "content": question}]
        if self.is_async:
            reply = await client.chat.completions.create(model=MODEL, messages=messages, max_tokens=99)
        elif cheap:
            reply = sync_client.chat.completions.create(model=MODEL, messages=messages, max_tokens=9)
        else:
            reply = sync_client.chat.completions.create(model=MODEL, messages=messages, max_tokens=99)
        return reply.choices[0].message.content or ""

    async def summary(self, text: str) -> str:
        messages = [{"role": "user", "content": text}]
        if self.is_async:
            reply = sync_client.chat.completions.create(model=MODEL, messages=messages, max_tokens=99)
        else:
            reply = sync_client.completions.create(model=MODEL, prompt=text, max_tokens=99)
        return reply.choices[0].message.content or ""
