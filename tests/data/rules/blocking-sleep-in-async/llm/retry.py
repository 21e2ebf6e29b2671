"""Hand-rolled retries around the chat completion call."""

import asyncio
import time
from time import sleep as pause

import openai
from openai import AsyncOpenAI

aclient = AsyncOpenAI(timeout=30)
MESSAGES = [{"role": "user", "content": "ping"}]


async def complete_with_retry(attempts: int = 3) -> str:
    for attempt in range(attempts):
        try:
            response = await aclient.chat.completions.create(model="gpt-4o-mini", messages=MESSAGES, max_tokens=200)
            return response.choices[0].message.content or ""
        except openai.RateLimitError:
            time.sleep(2**attempt)
    raise RuntimeError("rate limited")


async def wait_for_quota() -> None:
    pause(1.5)


async def backoff(attempt: int) -> None:
    await asyncio.sleep(2**attempt)


async def backoff_in_thread(attempt: int) -> None:
    await asyncio.to_thread(time.sleep, 2**attempt)
    loop = asyncio.get_running_loop()
    await loop.run_in_executor(None, lambda: time.sleep(attempt))


async def schedule_cooldown() -> None:
    def cooldown() -> None:
        time.sleep(5)

    await asyncio.to_thread(cooldown)


def complete_blocking_retry(attempt: int) -> None:
    time.sleep(2**attempt)
