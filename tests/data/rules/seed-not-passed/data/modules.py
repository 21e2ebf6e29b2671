"""Data modules for pretraining on streamed token shards."""

import random
from dataclasses import dataclass
from pathlib import Path

import torch
from litdata.streaming import StreamingDataset, TokensLoader
from torch.utils.data import DataLoader


@dataclass
class ShardStream:
    """Streams preprocessed token shards."""

    path: Path = Path("data/")
    seed: int = 42
    """The random seed for shuffling the shards."""
    num_workers: int = 4

    def train_dataloader(self) -> DataLoader:
        return self._loader(train=True)

    def _loader(self, train: bool) -> DataLoader:
        dataset = StreamingDataset(
            input_dir=str(self.path),
            item_loader=TokensLoader(block_size=2048),
            shuffle=train,
        )
        return DataLoader(dataset, batch_size=8, num_workers=self.num_workers)


@dataclass
class SeededShardStream:
    path: Path = Path("data/")
    seed: int = 42

    def train_dataloader(self) -> DataLoader:
        dataset = StreamingDataset(input_dir=str(self.path), shuffle=True, seed=self.seed)
        return DataLoader(dataset, batch_size=8)


class ExampleSplits:
    def __init__(self, examples: list[str], seed: int = 0) -> None:
        self.examples = examples
        self.seed = seed

    def loader(self) -> DataLoader:
        return DataLoader(self.examples, batch_size=16, shuffle=True)


def sample_prompts(prompts: list[str], k: int, seed: int = 1234) -> list[str]:
    chosen = list(prompts)
    random.shuffle(chosen)
    return chosen[:k]


def sample_prompts_seeded(prompts: list[str], k: int, seed: int = 1234) -> list[str]:
    return random.Random(seed).sample(prompts, k)


def ordered_loader(dataset: torch.utils.data.Dataset, seed: int) -> DataLoader:
    return DataLoader(dataset, batch_size=32, shuffle=False)


def split(dataset: torch.utils.data.Dataset, data_seed: int) -> list[torch.utils.data.Subset]:
    return torch.utils.data.random_split(dataset, [0.9, 0.1])
