"""Review moderation endpoint."""

from fastapi import FastAPI
from openai import OpenAI

app = FastAPI()
client = OpenAI(timeout=20)


@app.post("/moderate")
def moderate(comments: list[str]) -> list[str]:
    verdicts = []
    for comment in comments:
        reply = client.chat.completions.create(  # positive (medium): N calls per request
            model="gpt-4o-mini", messages=[{"role": "user", "content": comment}], max_tokens=3
        )
        verdicts.append(reply.choices[0].message.content or "")
    return verdicts
