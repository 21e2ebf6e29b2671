"""An eval harness whose own `eval` and `exec` shadow the builtins."""

from openai import OpenAI

from .sandbox import exec

client = OpenAI(timeout=30, max_retries=2)
MODEL = "gpt-4o-mini-2024-07-18"


def _ask(question: str) -> str:
    resp = client.chat.completions.create(
        model=MODEL, max_completion_tokens=200, messages=[{"role": "user", "content": question}]
    )
    return resp.choices[0].message.content or ""


def eval(answer: str, expected: str) -> bool:
    return answer.strip() == expected.strip()


def grade(question: str, expected: str) -> bool:
    answer = _ask(question)
    exec(answer)
    return eval(answer, expected)


class Checker:
    def eval(self, answer: str) -> bool:
        return bool(answer)

    def check(self, question: str) -> bool:
        return self.eval(_ask(question))
