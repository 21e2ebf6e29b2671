"""Shared helpers for training scripts."""

import random

import numpy as np
import torch


def fix_seeds(seed: int) -> None:
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
