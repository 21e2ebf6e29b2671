"""Loaders for fine-tuning and evaluation."""

import random

from torch.utils.data import DataLoader, Dataset

from config.settings import EvalConfig, FinetuneConfig, LoaderArguments, MixConfig


def train_loader(dataset: Dataset, cfg: FinetuneConfig) -> DataLoader:
    return DataLoader(dataset, batch_size=cfg.batch_size, shuffle=True)


def eval_subset(rows: list[str], cfg: EvalConfig) -> list[str]:
    return random.Random(cfg.eval_seed).sample(rows, 100)


def eval_order(rows: list[str], cfg: EvalConfig) -> list[str]:
    picked = list(rows)
    random.shuffle(picked)
    return picked


def framework_loader(dataset: Dataset, args: LoaderArguments) -> DataLoader:
    return DataLoader(dataset, batch_size=args.per_device_train_batch_size, shuffle=True)


def ordered(dataset: Dataset, cfg: FinetuneConfig) -> DataLoader:
    return DataLoader(dataset, batch_size=cfg.batch_size, shuffle=False)


def mix_loader(dataset: Dataset, cfg: MixConfig) -> DataLoader:
    return DataLoader(dataset, batch_size=cfg.batch_size, shuffle=True)
