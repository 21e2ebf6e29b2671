from openai import OpenAI


def test_answer_roundtrip() -> None:
    client = OpenAI(base_url="http://127.0.0.1:9999/v1", api_key="test", timeout=5)
    resp = client.chat.completions.create(
        model="gpt-4o-2024-08-06", max_completion_tokens=5, messages=[{"role": "user", "content": "hi"}]
    )
    assert resp.choices[0].message.content
