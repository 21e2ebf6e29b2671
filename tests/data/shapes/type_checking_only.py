"""Code under `if TYPE_CHECKING:` is read by type checkers and never run."""

from __future__ import annotations

import typing

if typing.TYPE_CHECKING:
    from openai import OpenAI

    SAMPLE_KEY = "sk-proj-Hq83NQjuV32S9OUU9RnQraWbz7A6JiBj"

    def _typed_example(prompt: str) -> None:
        client = OpenAI(timeout=None)
        client.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": prompt}])
else:
    from openai import OpenAI


def ask(prompt: str) -> str:
    client = OpenAI(timeout=None)
    reply = client.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": prompt}])
    return reply.choices[0].message.content or ""
