"""Fine-tune on the mixture, with every setting of the mixture handed to the run."""

from dataclasses import asdict

import torch

from config.settings import MixConfig


def run_mixture(batch_size: int, mix_seed: int) -> None:
    torch.manual_seed(mix_seed)
    print(f"batch size {batch_size}")


def main() -> None:
    run_mixture(**asdict(MixConfig()))
