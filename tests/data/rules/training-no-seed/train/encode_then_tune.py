"""Encodes a dataset, then tunes the model on it with the same trainer."""

import lightning

from models.net import IntentModule


def run(loader) -> None:
    runner = lightning.Trainer(devices=2)
    runner.validate(IntentModule(), loader)
    runner.fit(IntentModule(), loader)


def hand_over(loader) -> None:
    runner = lightning.Trainer(devices=2)
    runner.validate(IntentModule(), loader)
    launch(runner, loader)


def launch(runner, loader) -> None:
    runner.validate(IntentModule(), loader)


if __name__ == "__main__":
    run(None)
