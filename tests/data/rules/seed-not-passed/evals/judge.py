"""LLM judges grading the answers of the evaluated models."""

import anthropic
from openai import OpenAI


class Judge:
    def __init__(self, rubric: str, seed: int = 1234) -> None:
        self.rubric = rubric
        self.seed = seed
        self.client = OpenAI()

    def grade(self, answer: str) -> str:
        response = self.client.chat.completions.create(
            model="gpt-4o-2024-08-06",
            messages=[{"role": "system", "content": self.rubric}, {"role": "user", "content": answer}],
            temperature=0.3,
        )
        return response.choices[0].message.content or ""

    def grade_greedy(self, answer: str) -> str:
        response = self.client.chat.completions.create(
            model="gpt-4o-2024-08-06",
            messages=[{"role": "user", "content": answer}],
            temperature=0,
        )
        return response.choices[0].message.content or ""


class ClaudeJudge:
    def __init__(self, rubric: str, judge_seed: int = 1234) -> None:
        self.rubric = rubric
        self.judge_seed = judge_seed
        self.client = anthropic.Anthropic()

    def grade(self, answer: str) -> str:
        # The Messages API takes no seed: nothing to pass it to.
        message = self.client.messages.create(
            model="claude-sonnet-4-5-20250929",
            max_tokens=512,
            temperature=0.3,
            messages=[{"role": "user", "content": answer}],
        )
        return message.content[0].text


class CachedJudge:
    """Replies are cached: `cache_seed` picks which cached reply comes back (no RNG reads it)."""

    def __init__(self) -> None:
        self.client = OpenAI()

    def grade(self, answer: str, cache_seed: int = 0) -> str:
        response = self.client.chat.completions.create(
            model="gpt-4o-2024-08-06",
            messages=[{"role": "user", "content": answer}],
            temperature=0.7,
        )
        return response.choices[0].message.content or ""
