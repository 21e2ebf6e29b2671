"""Fine-tuning loops for the ranking head."""

import torch
from torch import nn
from torch.cuda.amp import GradScaler


def train(model: nn.Module, loader: torch.utils.data.DataLoader, epochs: int = 3) -> None:
    optimizer = torch.optim.AdamW(model.parameters(), lr=3e-5)
    criterion = nn.CrossEntropyLoss()
    optimizer.zero_grad()
    for _epoch in range(epochs):
        for x, y in loader:
            loss = criterion(model(x), y)
            loss.backward()
            optimizer.step()


def train_amp(model: nn.Module, loader: torch.utils.data.DataLoader, opt: torch.optim.Optimizer) -> None:
    scaler = GradScaler()
    for x, y in loader:
        with torch.autocast("cuda"):
            loss = model(x, labels=y).loss
        scaler.scale(loss).backward()
        scaler.step(opt)
        scaler.update()


def train_cleared(model: nn.Module, loader: torch.utils.data.DataLoader, optimizer: torch.optim.Optimizer) -> None:
    for x, y in loader:
        optimizer.zero_grad(set_to_none=True)
        loss = model(x, labels=y).loss
        loss.backward()
        optimizer.step()


def train_accumulating(model: nn.Module, loader: torch.utils.data.DataLoader, optimizer: torch.optim.Optimizer) -> None:
    accumulation_steps = 4
    for i, (x, y) in enumerate(loader):
        loss = model(x, labels=y).loss / accumulation_steps
        loss.backward()
        if (i + 1) % accumulation_steps == 0:
            optimizer.step()


def step(model: nn.Module, batch: dict[str, torch.Tensor], optimizer: torch.optim.Optimizer) -> float:
    loss = model(**batch).loss
    loss.backward()
    optimizer.step()
    return loss.item()


def fit(model: nn.Module, loader: torch.utils.data.DataLoader, optimizer: torch.optim.Optimizer) -> None:
    model.train()
    for batch in loader:
        step(model, batch, optimizer)


def clear(model: nn.Module) -> None:
    for parameter in model.parameters():
        parameter.grad = None


def train_clearing_by_hand(model: nn.Module, loader: torch.utils.data.DataLoader, optimizer: torch.optim.Optimizer) -> None:
    for batch in loader:
        clear(model)
        model(**batch).loss.backward()
        optimizer.step()


def train_deepspeed(model_engine: torch.nn.Module, loader: torch.utils.data.DataLoader) -> None:
    for batch in loader:
        loss = model_engine(batch)
        model_engine.backward(loss)
        model_engine.step()


def tune_schedule(optimizer: torch.optim.Optimizer, scheduler: torch.optim.lr_scheduler.LRScheduler, losses: list[torch.Tensor]) -> None:
    for loss in losses:
        loss.backward()
        scheduler.step()
