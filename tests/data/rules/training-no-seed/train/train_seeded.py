"""Same training loop, seeded once at the entry point."""

import random

import numpy as np
import torch
from torch import nn

from models.net import IntentNet


def main(seed: int = 13) -> None:
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    model = IntentNet(vocab_size=30_000, classes=12)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    loss = nn.functional.cross_entropy(model(torch.zeros(2, 8, dtype=torch.long)), torch.tensor([0, 1]))
    loss.backward()
    optimizer.step()


if __name__ == "__main__":
    main()
