"""Warms a latent head up on random codes before distillation."""

import torch
from torch import nn

head = nn.Linear(16, 16)


def warm_up(steps: int) -> None:
    for _ in range(steps):
        loss = head(torch.randn(2, 16)).pow(2).mean()
        loss.backward()


if __name__ == "__main__":
    optimizer = torch.optim.SGD(head.parameters(), lr=0.1)
    loss = head(torch.randn(2, 16)).pow(2).mean()
    loss.backward()
    optimizer.step()
