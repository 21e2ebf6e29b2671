"""The adapter's factors reconstruct the weight's leading directions: tests are not judged."""

import torch


def test_lowrank_factors() -> None:
    weight = torch.randn(64, 32)
    u, s, v = torch.svd_lowrank(weight, q=4)  # negative: a pytest module
    assert (u * s) @ v.T is not None
