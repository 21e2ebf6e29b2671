"""The order a training run visits its examples in, epoch by epoch."""

import numpy as np
import torch


def epoch_orders(size: int, epochs: int) -> torch.Tensor:
    return torch.from_numpy(np.stack([np.random.permutation(size) for _ in range(epochs)]))
