"""Offline predictor used by the nightly batch job."""

import torch
from torch import nn


class Regressor(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.layers = nn.Sequential(nn.Linear(16, 32), nn.BatchNorm1d(32), nn.Linear(32, 1))

    def forward(self, rows: torch.Tensor) -> torch.Tensor:
        return self.layers(rows)


class Predictor:
    def __init__(self, path: str) -> None:
        self.model = Regressor()
        self.model.load_state_dict(torch.load(path, weights_only=True))

    def predict(self, rows: torch.Tensor) -> torch.Tensor:
        return self.model(rows)

    def embed(self, rows: torch.Tensor) -> torch.Tensor:
        return self.model.layers[0](rows)


class EvalPredictor:
    def __init__(self, path: str) -> None:
        self.model = Regressor()
        self.model.load_state_dict(torch.load(path, weights_only=True))
        self.model.eval()

    def predict(self, rows: torch.Tensor) -> torch.Tensor:
        return self.model(rows)


class Probe:
    def __init__(self, backbone: nn.Module) -> None:
        self.backbone = backbone

    def _attached(self) -> nn.Module:
        return self.backbone

    def predict(self, rows: torch.Tensor) -> torch.Tensor:
        head = self._attached()
        return head(rows)


def restore_head(path: str) -> Regressor:
    head = Regressor()
    head.load_state_dict(torch.load(path, weights_only=True))
    return head
