import torch
from torch import nn


def validate(model: nn.Module, batches: list[torch.Tensor]) -> float:
    model.eval()
    with torch.no_grad():
        total = sum(float(model(batch).sum()) for batch in batches)
    model.train()
    return total


def resume(model: nn.Module, trainer) -> None:
    model.eval()
    trainer.train()


if __name__ == "__main__":
    print(validate(nn.Linear(4, 1), [torch.ones(2, 4)]))
    resume(nn.Linear(4, 1), object())
