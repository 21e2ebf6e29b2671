"""Evaluate on this node's shard of the held-out set."""

import torch
from torch.utils.data import DataLoader, DistributedSampler


def main() -> None:
    held_out = torch.load("held_out.pt", weights_only=True)
    sampler = DistributedSampler(held_out)
    for batch in DataLoader(held_out, batch_size=32, sampler=sampler):
        print(batch.shape)


if __name__ == "__main__":
    main()
