import asyncio
import sys
import time

import requests
from openai import AsyncOpenAI, OpenAI

aclient = AsyncOpenAI(timeout=30, max_retries=3)
client = OpenAI(timeout=30, max_retries=3)


def fetch_feed(url: str) -> list[str]:
    return requests.get(url, timeout=10).json()["items"]


async def digest(item: str) -> str:
    reply = await aclient.chat.completions.create(
        model="gpt-4o-2024-08-06", max_tokens=200, messages=[{"role": "user", "content": item}]
    )
    return reply.choices[0].message.content or ""


async def main(url: str) -> None:
    items = fetch_feed(url)
    time.sleep(0.5)
    await asyncio.sleep(0)
    outline = client.chat.completions.create(
        model="gpt-4o-2024-08-06", max_tokens=50, messages=[{"role": "user", "content": "outline"}]
    )
    async with asyncio.TaskGroup() as group:
        for item in items:
            group.create_task(digest(item))
    time.sleep(0.5)
    print(outline)


async def follow(url: str) -> None:
    while True:
        items = fetch_feed(url)
        for item in items:
            await digest(item)


async def refresh(url: str) -> list[str]:
    return fetch_feed(url)


async def schedule(url: str) -> None:
    await refresh(url)


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1]))
    asyncio.run(follow(sys.argv[1]))
    asyncio.run(refresh(sys.argv[1]))
