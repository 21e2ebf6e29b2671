"""A benchmark runner that seeds its RNGs once: its shuffles are reproducible."""

import random

import numpy as np
from openai import OpenAI

client = OpenAI(timeout=60)


def sample_questions(rows: list[dict], k: int) -> list[dict]:
    random.seed(7)
    np.random.seed(7)
    picked = random.sample(rows, k)  # negative: the module seeds random
    random.shuffle(picked)  # negative
    return picked
