"""Grading helpers around the project's own model wrapper (its calls are not an SDK's)."""

import openai

from grader.llm import ask


def rubric(question: str) -> dict:
    reply = ask(question)
    return eval(reply.choices[0].message.content)


def tally(batch) -> list:
    outputs = [[generation.text for generation in group] for group in batch.generations]
    scores = []
    for output in outputs:
        scores.append(eval(output[0]))
    return scores


def formula(expression: str) -> float:
    return eval(expression)


def client() -> openai.OpenAI:
    return openai.OpenAI(timeout=20)
