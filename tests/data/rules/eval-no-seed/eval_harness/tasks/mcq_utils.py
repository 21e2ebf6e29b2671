import random

from datasets import Dataset


def parse_choice(response, all_choices):
    candidates = [choice for choice in all_choices if choice in response]
    if not candidates:
        return random.choice(all_choices)
    return candidates[0]


def shuffled_split(dataset: Dataset):
    return dataset.shuffle()
