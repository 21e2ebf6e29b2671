from openai import OpenAI

JUDGE_MODEL = "gpt-4o"


def test_judge_says_yes() -> None:
    client = OpenAI(base_url="http://127.0.0.1:9999/v1", api_key="test", timeout=5)
    resp = client.chat.completions.create(
        model="gpt-4o-mini", max_completion_tokens=5, messages=[{"role": "user", "content": "yes?"}]
    )
    assert resp.choices[0].message.content == "yes"
