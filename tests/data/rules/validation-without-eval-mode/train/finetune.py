"""Fine-tune the classifier and report validation accuracy every epoch."""

import torch
from torch import nn


def fit(model: nn.Module, train_loader, val_loader, optimizer: torch.optim.Optimizer, epochs: int) -> None:
    criterion = nn.CrossEntropyLoss()
    for _epoch in range(epochs):
        model.train()
        for x, y in train_loader:
            optimizer.zero_grad()
            criterion(model(x), y).backward()
            optimizer.step()
        correct = 0
        for x, y in val_loader:
            correct += (model(x).argmax(-1) == y).sum().item()
        print(correct / len(val_loader.dataset))


def fit_no_grad_only(model: nn.Module, loaders: dict, optimizer: torch.optim.Optimizer) -> float:
    for x, y in loaders["train"]:
        optimizer.zero_grad()
        nn.functional.cross_entropy(model(x), y).backward()
        optimizer.step()
    model.eval()
    total = 0.0
    for x, y in loaders["validation"]:
        total += nn.functional.cross_entropy(model(x), y).item()
    return total


def fit_correctly(model: nn.Module, train_loader, eval_dataloader, optimizer: torch.optim.Optimizer) -> float:
    model.train()
    for x, y in train_loader:
        optimizer.zero_grad()
        nn.functional.cross_entropy(model(x), y).backward()
        optimizer.step()
    model.eval()
    total = 0.0
    with torch.inference_mode():
        for x, y in eval_dataloader:
            total += nn.functional.cross_entropy(model(x), y).item()
    model.train()
    return total


def evaluate(model: nn.Module, test_loader) -> float:
    hits = 0
    for x, y in test_loader:
        hits += (model(x).argmax(-1) == y).sum().item()
    return hits / len(test_loader.dataset)


@torch.no_grad()
def fit_and_score(model: nn.Module, train_loader, val_loader, optimizer: torch.optim.Optimizer) -> float:
    with torch.enable_grad():
        for x, y in train_loader:
            optimizer.zero_grad()
            nn.functional.cross_entropy(model(x), y).backward()
            optimizer.step()
    model.eval()
    return sum((model(x).argmax(-1) == y).float().mean().item() for x, y in val_loader)


def test_time_adaptation(model: nn.Module, test_loader, optimizer: torch.optim.Optimizer) -> None:
    model.train()
    for x, _ in test_loader:
        optimizer.zero_grad()
        model(x).entropy().mean().backward()
        optimizer.step()
