"""Model definitions; the training scripts decide seeding."""

import json

import lightning
import torch
from torch import nn


class IntentNet(nn.Module):
    def __init__(self, vocab_size: int, classes: int) -> None:
        super().__init__()
        self.embed = nn.EmbeddingBag(vocab_size, 128)
        self.head = nn.Linear(128, classes)

    def forward(self, tokens: torch.Tensor) -> torch.Tensor:
        return self.head(self.embed(tokens))

    def fit(self, batches: list[tuple[torch.Tensor, torch.Tensor]]) -> None:
        optimizer = torch.optim.Adam(self.parameters())
        for tokens, labels in batches:
            loss = nn.functional.cross_entropy(self(tokens), labels)
            loss.backward()
            optimizer.step()


class IntentModule(lightning.LightningModule):
    def __init__(self) -> None:
        super().__init__()
        self.net = IntentNet(30_000, 12)


def load_tickets(path: str) -> list[dict[str, object]]:
    with open(path, encoding="utf-8") as handle:
        return [json.loads(line) for line in handle]
