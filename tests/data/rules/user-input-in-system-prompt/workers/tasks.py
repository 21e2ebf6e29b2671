"""Background summaries; the style comes from our own scheduler, not from a request."""

from celery import shared_task
from openai import OpenAI

client = OpenAI(timeout=60)
MODEL = "gpt-4o-mini-2024-07-18"


@shared_task
def summarize(document: str, style: str) -> str:
    resp = client.chat.completions.create(
        model=MODEL,
        max_completion_tokens=300,
        messages=[
            {"role": "system", "content": f"Summarize in a {style} style."},
            {"role": "user", "content": document},
        ],
    )
    return resp.choices[0].message.content or ""
