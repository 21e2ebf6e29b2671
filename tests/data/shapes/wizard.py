import time

import requests
from openai import OpenAI

client = OpenAI(timeout=30, max_retries=2)


async def onboard() -> str:
    name = input("Your name: ")
    time.sleep(0.5)
    requests.post("https://signup.example.test/join", json={"name": name}, timeout=10)
    reply = client.chat.completions.create(
        model="gpt-4o-2024-08-06", max_tokens=50, messages=[{"role": "user", "content": name}]
    )
    return reply.choices[0].message.content or ""


async def greet(name: str) -> str:
    time.sleep(0.5)
    return client.chat.completions.create(
        model="gpt-4o-2024-08-06", max_tokens=50, messages=[{"role": "user", "content": name}]
    ).choices[0].message.content or ""
