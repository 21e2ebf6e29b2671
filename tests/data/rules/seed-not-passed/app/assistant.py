"""A chat assistant: it samples freely and declares no seed, so nobody asks it for one."""

from openai import OpenAI

client = OpenAI()


def reply(history: list[dict]) -> str:
    response = client.chat.completions.create(model="gpt-4o-mini", messages=history, temperature=0.8)
    return response.choices[0].message.content or ""


def request_body(history: list[dict]) -> dict:
    return {"model": "served", "messages": history, "temperature": 0.8, "stop": ["User:"]}
