"""The same initialisation, drawn in a forked RNG seeded from the adapter's config."""

import torch


def principal_basis(weight: torch.Tensor, rank: int, init_seed: int) -> torch.Tensor:
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(init_seed)
        _, _, v = torch.svd_lowrank(weight, q=rank)
    return v
