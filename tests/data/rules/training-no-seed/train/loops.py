"""Reusable training loops: one handed its model, one that builds its own."""

import torch
from torch import nn


def train_epoch(model: nn.Module, batches: list[tuple[torch.Tensor, torch.Tensor]], lr: float) -> float:
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    total = 0.0
    for inputs, targets in batches:
        optimizer.zero_grad()
        loss = nn.functional.mse_loss(model(inputs), targets)
        loss.backward()
        optimizer.step()
        total += loss.item()
    return total


def train_probe(features: torch.Tensor, labels: torch.Tensor) -> nn.Module:
    probe = nn.Linear(features.shape[1], 1)
    optimizer = torch.optim.SGD(probe.parameters(), lr=0.1)
    for _ in range(100):
        optimizer.zero_grad()
        nn.functional.mse_loss(probe(features), labels).backward()
        optimizer.step()
    return probe


def part(parts: dict[str, nn.Module], name: str) -> nn.Module:
    return parts[name]


def set_train_phase(parts: dict[str, nn.Module], student_turn: bool, phase: str) -> None:
    student = part(parts, "student")
    student.train(student_turn)  # negative: nn.Module.train(mode) switches behaviour, trains nothing
    critic = part(parts, "critic")
    critic.train(not student_turn)
    critic.train(mode=phase == "critic")
    nn.Linear(4, 1).train(False)
