"""Nightly batch labelling of support tickets (offline job, not serving)."""

import logging

from openai import OpenAI

client = OpenAI(timeout=60)
MODEL = "gpt-4o-mini-2024-07-18"


def label(tickets: list[str]) -> list[str]:
    labels = []
    for ticket in tickets:
        prompt = f"Label this ticket as bug, question or billing:\n{ticket}"
        resp = client.chat.completions.create(
            model=MODEL, max_completion_tokens=5, messages=[{"role": "user", "content": prompt}]
        )
        label_text = resp.choices[0].message.content
        logging.info("prompt=%s label=%s", prompt, label_text)
        labels.append(label_text)
    return labels
