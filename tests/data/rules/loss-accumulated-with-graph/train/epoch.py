"""One epoch of supervised fine-tuning, with the running statistics the dashboard shows."""

import torch
from torch import nn


def train_epoch(model: nn.Module, loader: torch.utils.data.DataLoader, optimizer: torch.optim.Optimizer) -> float:
    criterion = nn.CrossEntropyLoss()
    total_loss = 0.0
    history = []
    numbers = []
    for x, y in loader:
        optimizer.zero_grad()
        loss = criterion(model(x), y)
        loss.backward()
        optimizer.step()
        total_loss += loss
        history.append(loss * x.size(0))
        numbers.append(loss.item())
    return float(total_loss) / len(loader)


def train_epoch_detached(model: nn.Module, loader: torch.utils.data.DataLoader, optimizer: torch.optim.Optimizer) -> float:
    running = torch.zeros(())
    seen = 0
    for batch in loader:
        optimizer.zero_grad()
        loss = model(**batch).loss
        loss.backward()
        optimizer.step()
        running += loss.detach()
        seen += float(loss) * 0 + 1
    return (running / seen).item()


def multitask_step(model: nn.Module, heads: nn.ModuleList, x: torch.Tensor, ys: list[torch.Tensor], optimizer: torch.optim.Optimizer) -> None:
    optimizer.zero_grad()
    features = model(x)
    loss = torch.zeros(())
    for head, y in zip(heads, ys):
        loss += nn.functional.cross_entropy(head(features), y)
    loss.backward()
    optimizer.step()


def train_accelerated(accelerator, model: nn.Module, loader: torch.utils.data.DataLoader, optimizer: torch.optim.Optimizer) -> list[torch.Tensor]:
    kept = []
    for batch in loader:
        optimizer.zero_grad()
        out = model(**batch)
        accelerator.backward(out.loss)
        optimizer.step()
        kept.append(out.loss)
    return kept


def train_then_evaluate(model: nn.Module, train_loader, eval_loader, optimizer: torch.optim.Optimizer) -> list:
    losses = []
    for batch in train_loader:
        optimizer.zero_grad()
        loss = model(**batch).loss
        loss.backward()
        optimizer.step()
        loss = loss.detach()
        losses.append(loss)
    model.eval()
    eval_losses = []
    for batch in eval_loader:
        with torch.no_grad():
            loss = model(**batch).loss
        eval_losses.append(loss)
    return losses + eval_losses


class PolicyTrainer:
    def __init__(self, booster, optimizer, reduce):
        self.booster = booster
        self.optimizer = optimizer
        self.reduce = reduce

    def step(self, batches):
        mean_loss, entropies, kept = [], [], []
        for batch in batches:
            loss, entropy = self.booster.forward(batch)
            self.booster.backward(loss, self.optimizer)
            mean_loss.append(self.reduce(loss).data)
            entropies.append(self.reduce(entropy.detach()))
            kept.append(loss)
        return mean_loss, entropies, kept
