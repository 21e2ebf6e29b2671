"""Shard readers and loaders for image-text pretraining."""

import random

import webdataset as wds
from torch.utils.data import DataLoader, Dataset


def image_text(urls: str) -> wds.WebDataset:
    return wds.WebDataset(urls, shardshuffle=100).decode("pil").to_tuple("jpg", "txt")


def image_text_buffered(urls: str) -> wds.WebDataset:
    return wds.WebDataset(urls, shardshuffle=100, seed=7).decode("pil").shuffle(1000)


def image_text_seeded(urls: str, rng: random.Random) -> wds.WebDataset:
    return wds.WebDataset(urls, shardshuffle=100, seed=7).shuffle(1000, rng=rng)


def image_text_ordered(urls: str) -> wds.WebDataset:
    return wds.WebDataset(urls).decode("pil")


def token_batches(dataset: Dataset) -> DataLoader:
    return DataLoader(dataset, batch_size=8, shuffle=True)


def ranked_batches(dataset: Dataset) -> DataLoader:
    return DataLoader(dataset, batch_size=8, shuffle=True)


def image_text_in_order(urls: str) -> wds.WebDataset:
    return wds.WebDataset(urls).decode("pil").shuffle(0)
