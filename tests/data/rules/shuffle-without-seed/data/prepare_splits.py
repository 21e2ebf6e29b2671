"""Split the support tickets into training and held-out files, and time one pass of the loader."""

import json
import random
import time

from datasets import load_dataset
from sklearn.model_selection import train_test_split
from torch.utils.data import DataLoader


def main() -> None:
    with open("tickets.jsonl", encoding="utf-8") as handle:
        rows = [json.loads(line) for line in handle]
    train, held_out = train_test_split(rows, test_size=0.1, random_state=7)
    random.shuffle(train)
    stream = load_dataset("acme/support-tickets", split="train", streaming=True)
    stream = stream.shuffle(buffer_size=10_000)
    ordered = load_dataset("acme/support-tickets", split="train").shuffle()
    started = time.perf_counter()
    for _batch in DataLoader(train, batch_size=64, shuffle=True):
        pass
    with open("splits.json", "w", encoding="utf-8") as out:
        sample = list(stream.take(10))
        json.dump({"train": train, "held_out": held_out, "sample": sample, "n": len(ordered)}, out)
    print(f"one pass: {time.perf_counter() - started:.1f}s")


if __name__ == "__main__":
    main()
