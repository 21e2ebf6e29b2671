import random

import numpy as np
import torch
import torch.distributed as dist


class ShardedStrategy:
    def __init__(self, seed: int, lr: float) -> None:
        self.seed = seed
        self.lr = lr

    def init_workers(self) -> None:
        dist.init_process_group(backend="nccl")
        self._configure_rng()

    def _configure_rng(self) -> None:
        random.seed(self.seed)
        np.random.seed(self.seed)
        torch.manual_seed(self.seed)

    def optimizer(self, model: torch.nn.Module) -> torch.optim.Optimizer:
        return torch.optim.AdamW(model.parameters(), lr=self.lr)

    def shard(self, rows: list[dict]) -> list[dict]:
        return rows[dist.get_rank() :: dist.get_world_size()]
