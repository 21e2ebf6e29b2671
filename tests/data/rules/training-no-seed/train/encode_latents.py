"""Encodes a dataset into latents with a trained autoencoder, in batches across GPUs."""

import lightning

from models.net import IntentModule


def encode(loader) -> None:
    runner = lightning.Trainer(devices=2, logger=False, enable_checkpointing=False)
    runner.validate(IntentModule(), loader)
    runner.predict(IntentModule(), loader)


def score(loader) -> float:
    return lightning.Trainer(devices=1).test(IntentModule(), loader)[0]["score"]


if __name__ == "__main__":
    encode(None)
