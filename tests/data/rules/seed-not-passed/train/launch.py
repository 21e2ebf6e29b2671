"""Launch a pretraining run over token windows."""

import argparse

import torch

from data.windows import WindowSampler


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    torch.manual_seed(args.seed)
    sampler = WindowSampler([[1, 2, 3]] * 64)
    torch.manual_seed(sampler.window_seed)


if __name__ == "__main__":
    main()
