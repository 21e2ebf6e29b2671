"""Baselines the evaluation scores beside the models."""

import random

from datasets import Dataset


class RandomBaselineSolver:
    def solve(self, choices: list[str]) -> str:
        return random.choice(choices)


def random_answer(choices: list[str]) -> str:
    return random.choice(choices)


class FirstChoiceSolver:
    def solve(self, questions: Dataset, choices: list[str]) -> str:
        random.shuffle(choices)
        return choices[0]


class Dealer:
    def __init__(self, rng) -> None:
        self.rng = rng

    def deal(self, cards: list[str]) -> list[str]:
        self.rng.shuffle(cards)
        return cards[:5]
