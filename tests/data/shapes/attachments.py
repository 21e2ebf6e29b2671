"""A chat service's attachments: inline `data:` URLs are decoded in place, the rest fetched."""

import urllib.request

from openai import AsyncOpenAI

client = AsyncOpenAI(timeout=20)


def inline_image(ref: str) -> bytes:
    if ref.startswith(("data:image/", "data:application/")) and len(ref) < 100_000:
        with urllib.request.urlopen(ref) as handle:
            return handle.read()
    raise ValueError("not an inline image")


def placeholder(payload: str) -> bytes:
    return urllib.request.urlopen(f"data:text/plain;base64,{payload}").read()


def attachment(ref: str) -> bytes:
    if ref.startswith("data:"):
        return urllib.request.urlopen(ref).read()
    return urllib.request.urlopen(ref).read()


def remote_only(ref: str) -> bytes:
    if not ref.startswith("data:"):
        return urllib.request.urlopen(ref).read()
    raise ValueError("inline data")


def local_copy(path: str) -> bytes:
    return urllib.request.urlopen(f"file://{path}").read()


async def describe(ref: str) -> str:
    image = inline_image(ref)
    reply = await client.chat.completions.create(
        model=MODEL, messages=[{"role": "user", "content": [image.hex()]}], max_tokens=200
    )
    return reply.choices[0].message.content or ""


async def describe_any(ref: str) -> str:
    image = attachment(ref)
    reply = await client.chat.completions.create(
        model=MODEL, messages=[{"role": "user", "content": [image.hex()]}], max_tokens=200
    )
    return reply.choices[0].message.content or ""


MODEL = "gpt-4o-mini-2024-07-18"
