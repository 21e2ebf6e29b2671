"""Train the intent classifier from the labelled support tickets."""

import argparse

import torch
from torch import nn
from torch.utils.data import DataLoader

from models.net import IntentNet, load_tickets


def run(epochs: int, lr: float) -> nn.Module:
    model = IntentNet(vocab_size=30_000, classes=12)
    optimizer = torch.optim.AdamW(model.parameters(), lr=lr)
    criterion = nn.CrossEntropyLoss()
    loader = DataLoader(load_tickets("data/train.jsonl"), batch_size=64, shuffle=True)
    model.train()
    for _ in range(epochs):
        for tokens, labels in loader:
            optimizer.zero_grad()
            loss = criterion(model(tokens), labels)
            loss.backward()
            optimizer.step()
    return model


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, default=3)
    args = parser.parse_args()
    torch.save(run(args.epochs, 3e-4).state_dict(), "intent.pt")
