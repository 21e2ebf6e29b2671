"""Learning-rate schedule from a config expression; no LLM SDK in this module."""

import torch


def build_schedule(optimizer: torch.optim.Optimizer, expression: str) -> torch.optim.lr_scheduler.LambdaLR:
    factor = eval(f"lambda epoch: {expression}")
    return torch.optim.lr_scheduler.LambdaLR(optimizer, factor)


def evaluate(model: torch.nn.Module, batch: torch.Tensor) -> torch.Tensor:
    model.eval()
    with torch.inference_mode():
        return model(batch)
