"""A latent prediction head for autoregressive transformers."""

import torch
from torch import nn


class LatentHead(nn.Module):
    def __init__(self, dim: int) -> None:
        super().__init__()
        self.proj = nn.Linear(dim, dim)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return (self.proj(x) - x).pow(2).mean()


if __name__ == "__main__":
    head = LatentHead(16)
    loss = head(torch.randn(2, 16))
    loss.backward()
    print(head.proj.weight.grad.shape)
