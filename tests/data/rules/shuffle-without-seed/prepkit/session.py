import random

import torch


class Session:
    def __init__(self, workers: int) -> None:
        self.workers = workers

    def start(self) -> None:
        torch.set_num_threads(self.workers)
        self._fix_rngs()

    def _fix_rngs(self) -> None:
        random.seed(self.workers)
        torch.manual_seed(self.workers)
