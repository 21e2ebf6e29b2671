"""Model choices live here on purpose: one place to change them."""

from openai import OpenAI


def make_client() -> OpenAI:
    return OpenAI(timeout=30)


def default_completion(client: OpenAI, prompt: str) -> str:
    resp = client.chat.completions.create(
        model="gpt-4o-2024-08-06", max_completion_tokens=200, messages=[{"role": "user", "content": prompt}]
    )
    return resp.choices[0].message.content or ""
