"""A low-rank adapter whose factors start from the principal directions of the frozen weight."""

import torch
from torch import nn, svd_lowrank


class LowRankAdapter(nn.Module):
    def __init__(self, base: nn.Linear, rank: int) -> None:
        super().__init__()
        self.base = base
        u, s, v = torch.svd_lowrank(base.weight.data, q=rank, niter=2)
        self.down = nn.Parameter((v * s.sqrt()).T.contiguous())
        self.up = nn.Parameter(u * s.sqrt())

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.base(x) + x @ self.down.T @ self.up.T


def principal_basis(weight: torch.Tensor, rank: int) -> torch.Tensor:
    _, _, v = svd_lowrank(weight, q=rank)
    return v


def centred_basis(weight: torch.Tensor, rank: int, seed: int) -> torch.Tensor:
    if seed < 0:
        raise ValueError("seed must be non-negative")
    _, _, v = torch.pca_lowrank(weight, q=rank)
    return v


def exact_basis(weight: torch.Tensor, rank: int) -> torch.Tensor:
    _, _, vh = torch.linalg.svd(weight, full_matrices=False)
    return vh[:rank]
