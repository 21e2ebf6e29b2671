"""Warm-starts a classifier on random images and keeps the weights for fine-tuning."""

import torch

from models.noise_smoke import TinyViT

if __name__ == "__main__":
    model = TinyViT()
    opt = torch.optim.Adam(model.parameters(), lr=3e-4)
    images = torch.randn(2, 3, 32, 32)
    labels = torch.randint(0, 10, (2,))
    loss = model(images, labels)
    loss.backward()
    opt.step()
    torch.save(model.state_dict(), "warm_start.pt")
