"""Digest writer: run in batch, with an optional HTTP front end."""

from openai import OpenAI


def write_digest(notes: list[str]) -> str:
    client = OpenAI()  # negative: a batch job; only `serve` below handles requests
    reply = client.chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": "\n".join(notes)}])
    return reply.choices[0].message.content or ""


def serve(port: int) -> None:
    from flask import Flask, request

    app = Flask(__name__)

    @app.post("/digest")
    def digest() -> str:
        client = OpenAI()  # positive: in the function that serves requests
        reply = client.chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": request.data.decode()}])
        return reply.choices[0].message.content or ""

    app.run(port=port)
