"""A calculator whose method is named `eval`: inside it, `eval` is still the builtin."""

from collections.abc import Callable

from openai import OpenAI

client = OpenAI(timeout=30, max_retries=2)
MODEL = "gpt-4o-mini-2024-07-18"


def _ask(question: str) -> str:
    resp = client.chat.completions.create(
        model=MODEL, max_completion_tokens=200, messages=[{"role": "user", "content": question}]
    )
    return resp.choices[0].message.content or "0"


class Calculator:
    def eval(self, question: str) -> float:
        expression = _ask(question)
        return float(eval(expression))


def run_with(exec: Callable[[str], object], question: str) -> object:
    return exec(_ask(question))


def check_once(question: str) -> None:
    from .sandbox import run as eval

    eval(_ask(question))
