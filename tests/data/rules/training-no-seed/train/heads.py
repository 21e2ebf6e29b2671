import json
from collections.abc import Iterator

import torch
from torch import nn


class RewardHead(nn.Module):
    def __init__(self, width: int = 768) -> None:
        super().__init__()
        self.score = nn.Linear(width, 1)

    def forward(self, hidden: torch.Tensor) -> torch.Tensor:
        return self.score(hidden)


def preference_batches(path: str) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
    with open(path) as handle:
        for line in handle:
            pair = json.loads(line)
            yield torch.tensor(pair["chosen"]), torch.tensor(pair["rejected"])
