"""Streaming sources for pretraining."""

from datasets import load_dataset
from torch.utils.data import DataLoader, Dataset


def clean(row: dict[str, str]) -> dict[str, str]:
    return {"text": row["text"].strip()}


def web_text():
    stream = load_dataset("acme/web-text", split="train", streaming=True).map(clean)
    return stream.shuffle(buffer_size=10_000)


def web_text_seeded(seed: int):
    return load_dataset("acme/web-text", split="train", streaming=True).shuffle(seed=seed, buffer_size=10_000)


def batches(dataset: Dataset) -> DataLoader:
    return DataLoader(dataset, batch_size=8, shuffle=True)


SEED = None


def sample(rows: list[str]) -> list[str]:
    if SEED is None:
        return load_dataset("acme/web-text", split="train", streaming=True).shuffle(buffer_size=100).take(5)
    return rows
