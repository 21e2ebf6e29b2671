"""A small vision transformer; its quick test runs one step on random images."""

import torch
from torch import nn


class TinyViT(nn.Module):
    def __init__(self, dim: int = 32) -> None:
        super().__init__()
        self.patch = nn.Conv2d(3, dim, 8, 8)
        self.head = nn.Linear(dim, 10)

    def forward(self, images: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
        tokens = self.patch(images).flatten(2).mean(-1)
        return nn.functional.cross_entropy(self.head(tokens), labels)


# quick test

if __name__ == "__main__":
    model = TinyViT()
    opt = torch.optim.Adam(model.parameters(), lr=3e-4)
    for depth in (1, 2):
        images = torch.randn(2, 3, 32, 32)
        labels = torch.randint(0, 10, (2,))
        loss = model(images, labels=labels)
        opt.zero_grad()
        loss.backward()
        opt.step()
