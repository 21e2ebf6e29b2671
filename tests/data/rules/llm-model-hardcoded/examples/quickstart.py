"""Quickstart: one call to the assistant model."""

from openai import OpenAI


def main() -> None:
    client = OpenAI(timeout=30)
    resp = client.chat.completions.create(
        model="gpt-4o-2024-08-06", max_completion_tokens=50, messages=[{"role": "user", "content": "Hello"}]
    )
    print(resp.choices[0].message.content)


if __name__ == "__main__":
    main()
