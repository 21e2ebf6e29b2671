"""Fixed-length windows over a token stream."""

from torch.utils.data import DataLoader


class WindowSampler:
    def __init__(self, windows: list[list[int]], window_seed: int = 0) -> None:
        self.windows = windows
        self.window_seed = window_seed

    def batches(self) -> DataLoader:
        return DataLoader(self.windows, batch_size=4, shuffle=True)
