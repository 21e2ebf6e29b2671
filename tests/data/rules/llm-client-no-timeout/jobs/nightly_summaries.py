"""Nightly batch job: long waits are acceptable here, unbounded ones are not."""

import litellm
from huggingface_hub import InferenceClient
from openai import OpenAI

client = OpenAI()  # negative: long default in a batch script is fine
tgi = InferenceClient("http://tgi.internal:8080")  # positive (high): unbounded even in batch


def summarize(texts: list[str]) -> list[str]:
    out = []
    for text in texts:
        reply = litellm.completion(  # negative: batch script
            model="gpt-4o-mini", messages=[{"role": "user", "content": text}], max_tokens=200
        )
        out.append(reply.choices[0].message.content)
    return out


if __name__ == "__main__":
    print(summarize(["a", "b"]), client, tgi)
