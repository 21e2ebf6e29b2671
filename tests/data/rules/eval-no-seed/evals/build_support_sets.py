"""Builds the support and query splits once and publishes them: evaluations read the published sets."""

import random

from datasets import load_dataset

SUPPORT_SIZE = 512

captions = load_dataset("acme/captions", split="train")
order = list(range(len(captions)))
random.shuffle(order)
splits = {
    "support": captions.select(order[:SUPPORT_SIZE]),
    "query": captions.select(order[SUPPORT_SIZE:]),
}
for name, split in splits.items():
    split.push_to_hub("acme/caption-support-sets", config_name=name)
